import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { createDb, DatabaseLockedError, MIGRATIONS_FOLDER } from "./client";
import { testDatabases } from "@/tests/kit/databases";

const TABLES = [
  "companies",
  "custom_fields",
  "oauth_states",
  "organizations",
  "person_followers",
  "person_pictures",
  "persons",
  "roles",
  "sign_in_throttle",
  "sync_activity_days",
  "sync_connections",
  "sync_events",
  "sync_failures",
  "sync_links",
  "sync_preview_contacts",
  "sync_runs",
  "sync_subscriptions",
  "users",
];

function rowsOf<T>(result: unknown): T[] {
  // postgres.js returns the rows; PGlite returns { rows }.
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

describe.each(testDatabases())("migrations on $name", ({ open }) => {
  it("apply cleanly to an empty database and create every table", async () => {
    const handle = await open();
    try {
      const tables = rowsOf<{ table_name: string }>(
        await handle.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`),
      ).map((r) => r.table_name);
      expect(tables).toEqual(TABLES);
      const applied = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
      const journal = JSON.parse(fs.readFileSync(path.join("db", "migrations", "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
      expect(applied[0]?.n).toBe(journal.entries.length);
    } finally {
      await handle.close();
    }
  });
});

describe("the embedded database's directory lock", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a second process with a clear error, and takes over a lock its holder left behind", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-lock-"));
    dirs.push(dir);
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join(dir, "tandem.lock"), String(holder.pid));
      const refused = await createDb({ dataDir: dir }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DatabaseLockedError);
      expect((refused as Error).message).toContain(`already open in process ${holder.pid}`);
      expect((refused as Error).message).toContain("DATABASE_URL");
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.once("exit", resolve));
    }
    const handle = await createDb({ dataDir: dir });
    expect(fs.readFileSync(path.join(dir, "tandem.lock"), "utf8")).toBe(String(process.pid));
    await handle.close();
    expect(fs.existsSync(path.join(dir, "tandem.lock"))).toBe(false);
  });
});

// On a server, processes that start together (app processes, workers, CLIs) each migrate, and
// every migration is still applied exactly once.
const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)("a Postgres server database", () => {
  const name = `tandem_migrate_${crypto.randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const { default: postgres } = await import("postgres");
    const client = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    try {
      await client.unsafe(statement);
    } finally {
      await client.end();
    }
  };
  afterAll(() => admin(`drop database if exists ${name} with (force)`));

  it("is migrated once when four processes open it at the same time", async () => {
    await admin(`create database ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const handles = await Promise.all(Array.from({ length: 4 }, () => createDb({ url: url.toString(), max: 1 })));
    try {
      const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
      const rows = (await handles[0]!.db.execute("select count(*)::int as n from drizzle.__drizzle_migrations")) as unknown as { n: number }[];
      expect(rows[0]!.n).toBe(journal.entries.length);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
