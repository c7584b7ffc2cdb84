import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import regexp from "eslint-plugin-regexp";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  // CommonJS on purpose (every loader of the repo can require it): require() is its import.
  { files: ["**/*.cjs"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  // Provider data and what the emulators are sent are read by regular expressions: none may
  // backtrack super-linearly (one hostile contact or card must not stall the event loop).
  {
    files: ["lib/**/*.{ts,tsx}", "emulators/**/*.ts"],
    plugins: { regexp },
    rules: {
      "regexp/no-super-linear-backtracking": "error",
      "regexp/no-super-linear-move": "error",
    },
  },
  // The layers: app → components → lib → db, each importing only downwards; the sync's own
  // provider folders are reached only through the registry (lib/sync/providers/registry.ts).
  // Tests may reach anywhere.
  {
    files: ["**/*.{ts,tsx,mts}"],
    ignores: ["**/*.test.ts", "tests/**", "e2e/**", "bench/**", "emulators/**"],
    settings: { "import/resolver": { typescript: { project: "./tsconfig.json" }, node: true } },
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: "./db", from: ["./lib/sync", "./components", "./app"], message: "db/ is the bottom layer: what db/ and lib/sync share lives in db/vocabulary.ts." },
            { target: "./lib", from: ["./components", "./app"], message: "lib/ sits below components/ and app/: move the type or value into lib/." },
            { target: "./components", from: ["./app", "./db"], message: "components/ read the database only through lib/." },
            {
              target: ["./app", "./components", "./db", "./lib/!(sync)/**", "./lib/sync/!(providers)/**", "./instrumentation.ts", "./proxy.ts"],
              from: "./lib/sync/providers/*/**",
              message: "A provider's folder is reached only through lib/sync/providers/registry.ts.",
            },
          ],
        },
      ],
    },
  },
  globalIgnores([".next/**", ".data/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "bench/out/**"]),
]);
