import path from "node:path";
import { defineConfig } from "vitest/config";
import { ensureEmulatorCert } from "./scripts/emulator-cert.cjs";

// Test processes trust the emulators' certificate (made for this checkout) process-wide; the app never does.
const emulatorCert = ensureEmulatorCert(path.resolve(import.meta.dirname, ".data", "emulator-tls")).certPath;

export default defineConfig({
  // A test process is a server: modules marked `import "server-only"` load as in Next's server
  // bundles (the marker's empty module), here and in the processes the tests start.
  resolve: { alias: { "@": import.meta.dirname, "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js") } },
  test: {
    environment: "node",
    include: ["{lib,db,emulators,app,components}/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {
      NODE_EXTRA_CA_CERTS: emulatorCert,
      // The emulators and CardDAV servers of the tests listen on loopback addresses, which the
      // outbound rule refuses unless an installation allows them (the tests of the rule itself
      // build agents without this allowance).
      OUTBOUND_ALLOW: "127.0.0.0/8",
      // More than a person would connect: test files connect one user to many test address books.
      MAX_CONNECTIONS_PER_USER: "20",
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_OPTIONS: `--import=${path.resolve(import.meta.dirname, "scripts/server-side.mjs")} ${process.env.NODE_OPTIONS ?? ""}`.trim(),
    },
  },
});
