// Child processes of a benchmark: the emulator and the measured sync each run in their own
// process, so the sync's peak RSS is its own. Children are started with the same TypeScript
// loader as this process (tsx), and with what every process talking to the Graph emulator
// needs at start-up: its test certificate trusted.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { caBundleWithEmulatorCert, processTrustsEmulatorCert } from "@/emulators";

/** Call first in main(): re-runs this script with the Graph emulator's certificate trusted
 * (Node reads NODE_EXTRA_CA_CERTS only at start) and the secrets every process of the run
 * shares (tokens are sealed by one process and opened by another). Returns false in the
 * parent, which must then just exit. */
export function ensureBenchProcess(): boolean {
  if (processTrustsEmulatorCert() && process.env.TOKEN_ENCRYPTION_KEY && process.env.OUTBOUND_ALLOW) return true;
  const env = {
    ...process.env,
    // The emulators and servers of a run are on this machine: the installation allows loopback.
    OUTBOUND_ALLOW: process.env.OUTBOUND_ALLOW || "127.0.0.0/8",
    NODE_EXTRA_CA_CERTS: processTrustsEmulatorCert() ? process.env.NODE_EXTRA_CA_CERTS : caBundleWithEmulatorCert(),
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? crypto.randomBytes(32).toString("base64"),
    DATA_DIR: process.env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-data-")),
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env });
  process.exitCode = child.status ?? 1;
  return false;
}

/** Runs a TypeScript file of this repo in a child process with this process's loader. */
export function spawnTs(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdio?: "pipe" | "inherit"; nodeArgs?: string[] } = {}): ChildProcess {
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), ...process.execArgv, file, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", opts.stdio === "inherit" ? "inherit" : "pipe"],
  });
}

const RESULT = "BENCH_RESULT ";

/** For a child: hands its result to the parent (one marked stdout line). */
export function sendResult(value: unknown): void {
  process.stdout.write(`${RESULT}${JSON.stringify(value)}\n`);
}

/** Waits for a child's first result line (it may keep running, like the emulator). */
export function firstResult<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let done = false;
    lines.on("line", (line) => {
      if (done) return;
      if (line.startsWith(RESULT)) {
        done = true;
        resolve(JSON.parse(line.slice(RESULT.length)) as T);
      } else if (line.trim()) process.stderr.write(`  [${what}] ${line}\n`);
    });
    child.on("exit", (code, signal) => {
      if (!done) reject(new Error(`${what} exited (${code ?? signal}) without a result:\n${stderr}`));
    });
  });
}

/** Runs a child to completion and returns its result. */
export async function runChild<T>(file: string, args: string[], what: string, env?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<T> {
  const child = spawnTs(file, args, { env, nodeArgs });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const result = await firstResult<T>(child, what);
  await exited;
  return result;
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
