// Opens the database: a Postgres server through postgres.js when a URL is given, else PGlite
// (a real Postgres engine compiled to wasm, in this process). Both get the same migrations.
// PGlite has no cross-process locking, so a data directory is guarded by a lock file here:
// a second process gets a clear error instead of silently losing rows.
import fs from "node:fs";
import path from "node:path";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type DB = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<DB["transaction"]>[0]>[0];
export type Driver = "pglite" | "postgres";

export type DbHandle = {
  db: DB;
  driver: Driver;
  close: () => Promise<void>;
};

/** The rows of a raw `db.execute`: postgres-js answers an array, PGlite an object with rows. */
export async function executeRows<T extends Record<string, unknown>>(db: DB | Tx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute<T>(query);
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

export type CreateDbOptions = {
  /** postgres:// URL of a server; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; undefined = in memory. */
  dataDir?: string;
  /** Apply migrations on open (default true). */
  migrate?: boolean;
  /** Pool size for a server. */
  max?: number;
};

export async function createDb(opts: CreateDbOptions = {}): Promise<DbHandle> {
  if (opts.url && opts.migrate !== false) await migrateServer(opts.url);
  const handle = opts.url ? await openPostgres(opts.url, opts.max ?? 10) : await openPglite(opts.dataDir);
  if (!opts.url && opts.migrate !== false) {
    try {
      await migrate(handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

/** Migrates a server database under an advisory lock, on one connection that holds it: app
 * processes, workers and CLIs starting together apply each migration once, one after another. */
async function migrateServer(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(hashtext('tandem:migrations'))`;
    await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(hashtext('tandem:migrations'))`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function openPostgres(url: string, max: number): Promise<DbHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzle(client, { schema });
  return { db: db as unknown as DB, driver: "postgres", close: () => client.end({ timeout: 5 }) };
}

async function openPglite(dataDir: string | undefined): Promise<DbHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle } = await import("drizzle-orm/pglite");
  let release = () => {};
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    release = acquireDirLock(dataDir);
  }
  try {
    // pg_trgm: the persons search's trigram index (a Postgres server ships it as contrib).
    const client = await PGlite.create(dataDir, { extensions: { pg_trgm } });
    const db = drizzle(client, { schema });
    return {
      db: db as unknown as DB,
      driver: "pglite",
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

async function migrate(handle: DbHandle): Promise<void> {
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants the driver-specific type
  await migrate(handle.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
}

export class DatabaseLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database at ${dir} is already open in process ${pid}. ` +
        `PGlite cannot be shared between processes: stop that process, ` +
        `or point this one at a Postgres server with DATABASE_URL (or another PGLITE_DATA_DIR).`,
    );
    this.name = "DatabaseLockedError";
  }
}

const LOCK_FILE = "tandem.lock";

/** Takes the directory's lock file (atomic create), clearing a stale one left by a dead process. */
export function acquireDirLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(fs.readFileSync(file, "utf8"), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DatabaseLockedError(dir, holder);
      }
      // Stale (the holder died) or our own from an earlier open that was not closed: take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
