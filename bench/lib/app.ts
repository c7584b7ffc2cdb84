// The production app (an existing `next build`) served against a benchmark's database, and a
// signed-in session through the Auth.js credentials flow.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { DEMO_PASSWORD } from "@/lib/password";
import { stopChild } from "./proc";

export type AppHandle = { url: string; close: () => Promise<void> };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export type AppOptions = {
  /** A Postgres server's database, or the embedded database's folder (PGlite). */
  database: { url: string } | { pgliteDir: string };
  googleEmulatorPort: number;
  /** App processes (WEB_CONCURRENCY; Postgres only). */
  processes?: number;
  /** The app's own sync worker (default off: the benchmark runs the sync). */
  syncWorker?: boolean;
  /** A file the server process appends its event loop's stalls to (bench/lib/loop-monitor.cjs). */
  loopLog?: string;
};

/** `node scripts/start.mjs --no-build` (what `npm start` runs after its build) on a free port,
 * Google demo mode pointed at the benchmark's emulator. */
export async function startApp(opts: AppOptions): Promise<AppHandle> {
  const { database, googleEmulatorPort, processes = 1 } = opts;
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `npx next build` first");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_APP_CPU_PROF=<dir>: the app's server directly under --cpu-prof (not allowed in
  // NODE_OPTIONS), in demo mode as start.mjs would ask for it.
  const prof = process.env.BENCH_APP_CPU_PROF;
  const args = prof
    ? ["--cpu-prof", `--cpu-prof-dir=${prof}`, "scripts/server.mjs", "-p", String(port)]
    : ["scripts/start.mjs", "--no-build", "-p", String(port)];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: "url" in database ? database.url : "",
      ...("pgliteDir" in database ? { PGLITE_DATA_DIR: database.pgliteDir } : {}),
      SYNC_WORKER: opts.syncWorker ? "on" : "off",
      ...(opts.loopLog ? { BENCH_LOOP_LOG: opts.loopLog, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.resolve("bench/lib/loop-monitor.cjs")}`.trim() } : {}),
      APP_URL: url,
      AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-app-")),
      GOOGLE_EMULATOR_PORT: String(googleEmulatorPort),
      MICROSOFT_EMULATOR_PORT: String(await freePort()),
      NEXT_TELEMETRY_DISABLED: "1",
      DEMO_MODE: "1",
      WEB_CONCURRENCY: String(processes),
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: start.mjs runs the server as a child
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const close = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    await stopChild(child);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited:\n${log}`);
    try {
      if ((await fetch(`${url}/sign-in`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the app did not start in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, close };
}

/** Signs in through the Auth.js credentials endpoint; returns the Cookie header of the session. */
export async function signIn(appUrl: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const csrf = await fetch(`${appUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  keep(csrf);
  const res = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${appUrl}/persons` }),
  });
  keep(res);
  const session = [...jar.keys()].find((k) => k.includes("session-token"));
  if (!session) throw new Error(`sign-in as ${email} failed (HTTP ${res.status})`);
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}
