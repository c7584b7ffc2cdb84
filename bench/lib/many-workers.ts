// The sync workers of bench/many.ts: K processes of lib/sync/jobs/worker-cli.ts — what `npm run
// worker -- --concurrency C --poll-seconds S` runs (`tsx lib/sync/jobs/worker-cli.ts`), started here
// with the same TypeScript loader as this process (node + tsx's loader flags) so that each worker
// is one process whose CPU /proc can read, with no npm/sh/tsx-CLI wrappers around it.
// Each worker's stdout and stderr (its JSON log: a line per run) go to a file.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export type WorkerFleet = {
  pids: number[];
  logs: string[];
  /** Lines of the workers' logs at level warn/error so far. */
  problems(): string[];
  stop(): Promise<void>;
};

export type FleetSpec = { workers: number; concurrency: number; pollSeconds: number; env: Record<string, string>; logDir: string; label: string };

export async function startWorkers(spec: FleetSpec): Promise<WorkerFleet> {
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  for (let i = 0; i < spec.workers; i++) {
    const log = path.join(spec.logDir, `worker-${spec.label}-${i}.log`);
    const fd = fs.openSync(log, "w");
    const child = spawn(
      process.execPath,
      [...process.execArgv, "lib/sync/jobs/worker-cli.ts", "--concurrency", String(spec.concurrency), "--poll-seconds", String(spec.pollSeconds)],
      { env: { ...process.env, ...spec.env }, stdio: ["ignore", fd, fd] },
    );
    fs.closeSync(fd);
    children.push(child);
    logs.push(log);
  }
  const fleet: WorkerFleet = {
    pids: children.map((c) => c.pid!),
    logs,
    problems: () =>
      logs.flatMap((l) =>
        fs
          .readFileSync(l, "utf8")
          .split("\n")
          .filter((line) => /"level":"(warn|error)"/.test(line) || (line.trim() !== "" && !line.startsWith("{"))),
      ),
    stop: () => Promise.all(children.map((c) => stopWorker(c))).then(() => {}),
  };
  // Ready when each has logged "worker started" (its pool is open and the schema checked).
  const deadline = Date.now() + 120_000;
  for (const [i, child] of children.entries()) {
    for (;;) {
      const text = fs.readFileSync(logs[i]!, "utf8");
      if (text.includes('"msg":"worker started"')) break;
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await fleet.stop();
        throw new Error(`worker ${i} did not start (exit ${child.exitCode ?? child.signalCode ?? "timeout"}):\n${text.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return fleet;
}

/** SIGTERM: the worker stops claiming and finishes its runs in progress (none, when idle);
 * SIGKILL after 30 s. */
function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
