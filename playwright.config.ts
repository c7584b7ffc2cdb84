import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
// A fresh embedded database per run (the server seeds the demo company into it), unless the
// run is pointed at a Postgres server through DATABASE_URL.
const DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `tandem-e2e-${process.pid}`);
// Demo-mode servers on ports of their own, away from a developer's `npm start`: given to the app
// under test, and to the specs, which find each provider's demo server by its definition
// (e2e/helpers.ts demoGroup).
const DEMO_PORTS = { GOOGLE_EMULATOR_PORT: String(PORT + 1), MICROSOFT_EMULATOR_PORT: String(PORT + 2), CARDDAV_DEMO_PORT: String(PORT + 3) };
Object.assign(process.env, DEMO_PORTS);

export default defineConfig({
  testDir: "./e2e",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    // The build is done by the test command before Playwright starts (E2E_SKIP_BUILD=1).
    command: `node scripts/start.mjs ${process.env.E2E_SKIP_BUILD ? "--no-build " : ""}-p ${PORT}`,
    url: `http://127.0.0.1:${PORT}/sign-in`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      DATA_DIR,
      APP_URL: `http://127.0.0.1:${PORT}`,
      ...DEMO_PORTS,
      // The certificate the test process trusts (scripts/emulator-cert.cjs): the app's emulator
      // serves it, and the app trusts it only in the agent that talks to the emulator — not
      // process-wide as this runner does (so that is not inherited).
      EMULATOR_CERT_DIR: path.resolve(".data", "emulator-tls"),
      NODE_EXTRA_CA_CERTS: "",
      // The security spec plays a trusted proxy in front of the app (X-Forwarded-For's last entry).
      TRUST_PROXY_HOPS: "1",
      SYNC_INTERVAL_MINUTES: "60",
      // The specs give the demo users more address books than a user needs (the manager: 7). Live
      // sync sends a user's new person to one of their two-way connections, so specs that need a
      // given connection to get it use a user without another two-way one: the manager.
      MAX_CONNECTIONS_PER_USER: "10",
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    },
  },
});
