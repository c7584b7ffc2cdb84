// Opens the database: a Postgres server through postgres.js when a URL is given, else PGlite
// (a real Postgres engine compiled to wasm, in this process). Both get the same migrations.
// PGlite has no cross-process locking, so a data directory is guarded by a lock file here:
// a second process gets a clear error instead of silently losing rows.
import "server-only";
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
  /** PGlite's shared_buffers (default PGLITE_SHARED_BUFFERS). */
  sharedBuffers?: string;
};

/** The embedded database's buffer cache. Postgres's default (128 MB) lives in the WebAssembly
 * engine's memory on top of the app's: 32 MB holds a 25,000-contact CRM's hot pages and keeps the
 * process ~100 MB smaller (bench/RESULTS.md, #29). PGLITE_SHARED_BUFFERS overrides it. */
export const PGLITE_SHARED_BUFFERS = "32MB";

export async function createDb(opts: CreateDbOptions = {}): Promise<DbHandle> {
  if (opts.url && opts.migrate !== false) await migrateServer(opts.url);
  const handle = opts.url ? await openPostgres(opts.url, opts.max ?? 10) : await openPglite(opts.dataDir, opts.sharedBuffers ?? PGLITE_SHARED_BUFFERS);
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

async function openPglite(dataDir: string | undefined, sharedBuffers: string): Promise<DbHandle> {
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
    const client = await PGlite.create(dataDir, { extensions: { pg_trgm }, postgresqlconf: [`shared_buffers=${sharedBuffers}`] });
    const db = embedded(client, drizzle(client, { schema }));
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

/** How long PGlite may keep this thread before a statement gives the event loop a turn. */
const PGLITE_SLICE_MS = 10;

/** Queries and transactions of the embedded database that have been asked for and not finished
 * (running, or waiting for the one running), when the last one finished, and when queries last
 * had to wait for another (the latest few). */
type Activity = { pending: number; lastFinished: number; waits: number[] };
const embeddedDbs = new WeakMap<object, Activity>();

/** Whether `db` is the embedded database: one process's, PGlite's one connection. */
export function isEmbedded(db: DB | Tx): boolean {
  return embeddedDbs.has(db);
}

/** The embedded database counts as shared while CONTENDED_WAITS queries have had to wait for
 * another within CONTENDED_FOR_MS: a page the app serves makes several; a sync's own lease
 * renewal, one every few seconds. */
const CONTENDED_FOR_MS = 2_000;
const CONTENDED_WAITS = 3;

/** Whether the embedded database (PGlite: this thread, one connection at a time) is being shared:
 * a query had to wait for another a moment ago (the pages of the app while a sync runs). There a
 * long transaction holds up every other query — every page the app serves — until it ends, so
 * bulk work then goes in small transactions (lib/sync/engine/pull.ts); alone, in large ones
 * (fewer statements, faster). False on a server. */
export function isContended(db: DB | Tx): boolean {
  const activity = embeddedDbs.get(db);
  if (!activity) return false;
  const since = performance.now() - CONTENDED_FOR_MS;
  return activity.waits.filter((at) => at > since).length >= CONTENDED_WAITS;
}

/** Waited at most before bulk work goes on, and the quiet after others' last query it waits for
 * (a page's queries come one after another, a few milliseconds of rendering apart). */
const GIVE_WAY_MAX_MS = 50;
const GIVE_WAY_QUIET_MS = 5;

/** Bulk work on the embedded database (a sync's next transaction) lets others' queries go first:
 * it waits while any are asked for, until they have been quiet for a moment (or for at most
 * GIVE_WAY_MAX_MS, so that it still moves under constant load). At once on a server, and when
 * nobody else is waiting. The caller must have nothing of its own in flight. */
export async function giveWay(db: DB): Promise<void> {
  const activity = embeddedDbs.get(db);
  if (!activity) return;
  const start = performance.now();
  for (;;) {
    const now = performance.now();
    const othersBusy = activity.pending > 0 || (activity.lastFinished > start && now - activity.lastFinished < GIVE_WAY_QUIET_MS);
    if (!othersBusy || now - start >= GIVE_WAY_MAX_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Makes a drizzle database over a PGlite client the app's embedded database: its statements
 * give the event loop a turn (yieldBetweenStatements), and its queries are tracked for giveWay()
 * and isContended(). Also for tools that open PGlite with options of their own (the
 * benchmarks' statement counter). */
export function embedded<T extends object>(client: import("@electric-sql/pglite").PGlite, db: T): T {
  yieldBetweenStatements(client);
  const activity: Activity = { pending: 0, lastFinished: 0, waits: [] };
  aroundMethods(client, ["query", "exec", "transaction"], (original) => async (...args) => {
    if (activity.pending > 0) activity.waits = [...activity.waits.slice(1 - CONTENDED_WAITS), performance.now()];
    activity.pending += 1;
    try {
      return await original(...args);
    } finally {
      activity.pending -= 1;
      activity.lastFinished = performance.now();
    }
  });
  embeddedDbs.set(db, activity);
  return db;
}

type Method = (...args: unknown[]) => Promise<unknown>;

/** Puts `wrap` around these methods of the PGlite client, on the instance: its other methods call
 * them on `this`, so every statement, query or transaction goes through the wrapper. */
function aroundMethods(client: import("@electric-sql/pglite").PGlite, names: readonly string[], wrap: (original: Method) => Method): void {
  const target = client as unknown as Record<string, Method>;
  for (const name of names) target[name] = wrap(target[name]!.bind(client));
}

/** PGlite runs each statement synchronously on this thread, and its promises settle at once: a
 * run of statements (a sync page's transaction) would hold the event loop — and every page the
 * app serves meanwhile — from its first statement to its last. So before a statement, once the
 * thread has been busy for PGLITE_SLICE_MS, the event loop gets a turn (pending requests are
 * read, their queries queue up behind the current transaction). */
function yieldBetweenStatements(client: import("@electric-sql/pglite").PGlite): void {
  let busySince = performance.now();
  const breathe = async () => {
    if (performance.now() - busySince < PGLITE_SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    busySince = performance.now();
  };
  // Every statement goes through one of these.
  aroundMethods(client, ["execProtocol", "execProtocolStream"], (original) => async (...args) => {
    await breathe();
    return original(...args);
  });
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
