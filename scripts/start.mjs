// `npm start`: build, then serve. When Microsoft runs in demo mode (no MICROSOFT_CLIENT_ID), the
// server must trust the Graph emulator's test certificate, and Node only reads extra CAs at
// start-up: so the server is started with NODE_EXTRA_CA_CERTS pointing at a bundle that adds
// it. With a real Microsoft client configured, nothing is added.
//   node scripts/start.mjs [--dev] [--no-build] [-p PORT]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const dev = args.includes("--dev");
const build = !dev && !args.includes("--no-build");
const portIndex = args.indexOf("-p");
const port = portIndex >= 0 ? args[portIndex + 1] : process.env.PORT ?? "3000";
const next = path.join("node_modules", ".bin", "next");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

if (!process.env.MICROSOFT_CLIENT_ID) {
  const parts = [fs.readFileSync(path.join("emulators", "certs", "localhost.crt"), "utf8")];
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (existing && fs.existsSync(existing)) parts.push(fs.readFileSync(existing, "utf8"));
  const bundle = path.join(os.tmpdir(), `tandem-ca-${process.pid}.pem`);
  fs.writeFileSync(bundle, parts.join("\n"));
  env.NODE_EXTRA_CA_CERTS = bundle;
}

if (build) {
  const result = spawnSync(next, ["build"], { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const server = spawn(next, [dev ? "dev" : "start", "-p", port], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
