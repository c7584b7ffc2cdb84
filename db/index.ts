// The app's database handle: opened once per process (kept on globalThis so route and page
// bundles and dev hot reloads share it), migrated, and seeded with the demo company when an
// embedded database is brand new and the app runs in demo mode (never otherwise: the demo users'
// password is published).
import "server-only";
import { createDb, type DB, type DbHandle } from "./client";
import { demoMode, env, pgliteDataDir } from "@/lib/env";

const store = globalThis as unknown as { __tandemDb?: Promise<DbHandle> };

export function getDbHandle(): Promise<DbHandle> {
  if (!store.__tandemDb) {
    store.__tandemDb = open().catch((error: unknown) => {
      store.__tandemDb = undefined;
      throw error;
    });
  }
  return store.__tandemDb;
}

export async function getDb(): Promise<DB> {
  return (await getDbHandle()).db;
}

async function open(): Promise<DbHandle> {
  const url = env().DATABASE_URL;
  const handle = await createDb(url ? { url } : { dataDir: pgliteDataDir(), sharedBuffers: env().PGLITE_SHARED_BUFFERS });
  if (handle.driver === "pglite" && demoMode()) {
    const { seedDemoIfEmpty } = await import("./seed");
    await seedDemoIfEmpty(handle.db);
  }
  return handle;
}
