// npm run worker [-- --concurrency N --poll-seconds S]: a background sync worker against the
// Postgres server in DATABASE_URL. Start as many as you like, on this or other machines: they
// share the work through the connections table (scheduler.ts), and the app runs one too.
// With the embedded database this refuses: PGlite cannot be shared between processes, and the
// app already runs its own worker then.
// It does not migrate the database: the app or `npm run db:migrate` does that, once, rather
// than several workers starting together and racing on the same migrations.
// Stopping: the first SIGINT/SIGTERM stops claiming and lets the runs in progress finish; a
// second one exits at once and abandons them (their leases lapse and another worker redoes the
// work, which the engine makes safe).
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDb } from "@/db/client";
import { syncConnections } from "@/db/schema";
import { env } from "@/lib/env";
import { jsonLogger } from "@/lib/logger";
import { adapterForConnection } from "../accounts/connections";
import { DEFAULT_POLL_MS, runWorker, WORKER_CONCURRENCY } from "./scheduler";

const argsSchema = z.object({
  concurrency: z.coerce.number().int().min(1).max(32).default(WORKER_CONCURRENCY),
  "poll-seconds": z.coerce.number().min(0.05).max(600).default(DEFAULT_POLL_MS / 1000),
});

/** Postgres "undefined table" / "undefined column": the schema is missing or older than this code. */
function isSchemaMissing(error: unknown): boolean {
  const codes = [error, (error as { cause?: unknown } | null)?.cause].map((e) => (e as { code?: unknown } | null)?.code);
  return codes.includes("42P01") || codes.includes("42703");
}

async function main(): Promise<number> {
  const url = env().DATABASE_URL;
  if (!url) {
    console.error(
      "npm run worker needs a Postgres server: set DATABASE_URL. Without it the app uses its embedded database (PGlite), " +
        "which cannot be shared between processes, and runs its own sync worker.",
    );
    return 2;
  }
  const { values } = parseArgs({ options: { concurrency: { type: "string" }, "poll-seconds": { type: "string" } } });
  const parsedArgs = argsSchema.safeParse(values);
  if (!parsedArgs.success) {
    console.error(`usage: npm run worker -- [--concurrency N] [--poll-seconds S] (${parsedArgs.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
    return 2;
  }
  const { concurrency, "poll-seconds": pollSeconds } = parsedArgs.data;
  const intervalMs = env().SYNC_INTERVAL_MINUTES * 60_000;
  const workerId = `${os.hostname()}:${process.pid}`;
  const logger = jsonLogger({ workerId });

  const handle = await createDb({ url, max: concurrency + 2, migrate: false });
  try {
    await handle.db.select({ id: syncConnections.id, next: syncConnections.nextRunAt, requested: syncConnections.runRequestedAt }).from(syncConnections).limit(1);
  } catch (error) {
    await handle.close();
    if (!isSchemaMissing(error)) throw error;
    console.error("The database's schema is missing or out of date: run `npm run db:migrate` (or start the app once), then start the worker.");
    return 1;
  }

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn("stopping now; runs in progress are abandoned and another worker will redo them", { signal });
      process.exit(1);
    }
    logger.info("stopping after the runs in progress finish (send the signal again to stop at once)", { signal });
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  logger.info("worker started", { concurrency, intervalMinutes: env().SYNC_INTERVAL_MINUTES, pollSeconds });
  try {
    await runWorker({
      db: handle.db,
      workerId,
      intervalMs,
      pollMs: pollSeconds * 1000,
      concurrency,
      signal: controller.signal,
      adapterFor: (conn) => adapterForConnection(handle.db, conn),
      logger,
    });
  } finally {
    await handle.close();
  }
  logger.info("worker stopped");
  return 0;
}

/** The driver's own words when there are some ("connect ECONNREFUSED …"), not the failed SQL. */
function describeError(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`The worker could not start: ${describeError(error)}`);
    process.exit(1);
  },
);
