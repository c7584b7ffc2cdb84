// `npm start`: build, then serve (scripts/server.mjs: Next behind a plain Node server).
// Demo mode: with DEMO_MODE unset, it asks for demo mode (local emulators with demo address
// books) unless a provider is configured, which only the app knows (lib/env.ts demoMode): it says
// so when it starts them. DEMO_MODE=0 turns it off. The emulators' TLS certificate is kept under
// $DATA_DIR/emulator-tls (EMULATOR_CERT_DIR) and is trusted only by the agent that talks to the
// emulator, never process-wide.
// WEB_CONCURRENCY=N (Postgres server only) serves from N app processes sharing the port (Node's
// cluster): one Node process renders on one core. They start one after another; only the first
// serves the demo emulators.
//   node scripts/start.mjs [--dev] [--no-build] [-p PORT]
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

const args = process.argv.slice(2);
const dev = args.includes("--dev");
const build = !dev && !args.includes("--no-build");
const portIndex = args.indexOf("-p");
const port = portIndex >= 0 ? args[portIndex + 1] : process.env.PORT ?? "3000";
const next = path.join("node_modules", ".bin", "next");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

env.EMULATOR_CERT_DIR ??= path.resolve(process.env.DATA_DIR ?? ".data", "emulator-tls");
if (process.env.DEMO_MODE === undefined) env.TANDEM_DEMO_BY_DEFAULT = "1";

const processes = Number(process.env.WEB_CONCURRENCY || 1);
if (!Number.isInteger(processes) || processes < 1 || processes > 64) {
  console.error(`WEB_CONCURRENCY must be a whole number from 1 to 64, not "${process.env.WEB_CONCURRENCY}".`);
  process.exit(2);
}
if (processes > 1 && !process.env.DATABASE_URL) {
  console.error("WEB_CONCURRENCY > 1 needs a Postgres server (DATABASE_URL): the embedded database cannot be shared between processes.");
  process.exit(2);
}

if (build) {
  const result = spawnSync(next, ["build"], { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (processes > 1 && !dev) {
  const { default: cluster } = await import("node:cluster");
  cluster.setupPrimary({ exec: path.join("scripts", "server.mjs"), args: ["-p", port] });
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
  // A process that dies takes the others down: whatever supervises `npm start` restarts it.
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) console.error(`[tandem] app process ${worker.process.pid} exited (${signal ?? code}); stopping`);
    stopping = true;
    for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code ?? 1);
  });
  for (let i = 0; i < processes && !stopping; i++) {
    const worker = cluster.fork({ ...env, TANDEM_PROCESS_INDEX: String(i) });
    await new Promise((resolve) => {
      worker.once("listening", resolve);
      worker.once("exit", resolve);
    });
  }
} else {
  const server = spawn(process.execPath, [path.join("scripts", "server.mjs"), ...(dev ? ["--dev"] : []), "-p", port], { stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
