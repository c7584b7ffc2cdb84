import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    environment: "node",
    include: ["{lib,db,emulators,app,components}/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {
      NODE_EXTRA_CA_CERTS: path.resolve(import.meta.dirname, "emulators/certs/localhost.crt"),
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
