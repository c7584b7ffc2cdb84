// npm run sync -- <connection id>: one sync run from the shell (tests, benchmarks, operators).
// With the embedded database this refuses, with a clear message, while the app holds it.
import { eq } from "drizzle-orm";
import { createDb } from "@/db/client";
import { syncConnections } from "@/db/schema";
import { env, pgliteDataDir } from "@/lib/env";
import { adapterForConnection } from "../accounts/connections";
import { textLogger } from "@/lib/logger";
import { isUuid } from "@/lib/uuid";
import { syncPhotos } from "../engine/photos";
import { runSync } from "../engine/run";

async function main(connectionId: string | undefined): Promise<number> {
  if (!connectionId || !isUuid(connectionId)) {
    console.error("usage: npm run sync -- <connection id>");
    return 2;
  }
  const url = env().DATABASE_URL;
  const handle = await createDb(url ? { url, max: 4 } : { dataDir: pgliteDataDir() });
  try {
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
    if (!conn) {
      console.error(`No sync connection ${connectionId}.`);
      return 1;
    }
    const started = Date.now();
    const adapter = await adapterForConnection(handle.db, conn);
    const summary = await runSync({
      db: handle.db,
      connectionId,
      trigger: "cli",
      adapter,
      logger: textLogger("[tandem sync]"),
    });
    const ms = Date.now() - started;
    if (summary.status === "skipped") {
      console.log(`Skipped: ${summary.reason}.`);
      return 0;
    }
    console.log(JSON.stringify({ outcome: summary.outcome, full: summary.full, ms, counts: summary.counts, ...(summary.error ? { error: summary.error } : {}) }));
    if (summary.outcome === "failed") return 1;
    // Then the photos the run noted (scheduled runs do the same, in the worker).
    const photosStarted = Date.now();
    const photos = await syncPhotos({ db: handle.db, connectionId, adapter });
    console.log(JSON.stringify({ photos: { ...photos, ms: Date.now() - photosStarted } }));
    return 0;
  } finally {
    await handle.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
