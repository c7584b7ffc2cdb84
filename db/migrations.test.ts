// Migration 0018 (a link's state as a column): a database holding links in every state the id
// prefixes spelt — linked, "pending:", "unconfirmed:", "tocreate:", a crm_version of -1 — reads
// the same afterwards, in the new words, with the "in sync" counter unchanged.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openFreshServerDatabase } from "@/tests/kit/databases";
import { createDb, executeRows, MIGRATIONS_FOLDER, type DbHandle } from "./client";

const BEFORE = "0017_person_search_pending_list";

/** A copy of the migrations that ends with `last`. */
function migrationsUpTo(last: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-migrations-"));
  fs.cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  const end = journal.entries.findIndex((e) => e.tag === last);
  expect(end).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, end + 1);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

async function migrate(handle: DbHandle, folder: string): Promise<void> {
  const migrator = handle.driver === "pglite" ? await import("drizzle-orm/pglite/migrator") : await import("drizzle-orm/postgres-js/migrator");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants the driver-specific type
  await migrator.migrate(handle.db as any, { migrationsFolder: folder });
}

/** An empty database: PGlite in memory, or a fresh one on the server. */
async function unmigrated(driver: "pglite" | "postgres"): Promise<DbHandle> {
  return driver === "pglite" ? createDb({ migrate: false }) : openFreshServerDatabase(process.env.TEST_DATABASE_URL!, { migrate: false });
}

const drivers: ("pglite" | "postgres")[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(drivers)("migration 0018: link states (%s)", (driver) => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((f) => fs.rmSync(f, { recursive: true, force: true })));

  it("converts every state the prefixes spelt, losing nothing", async () => {
    const handle = await unmigrated(driver);
    try {
      const before = migrationsUpTo(BEFORE);
      folders.push(before);
      await migrate(handle, before);
      const db = handle.db;
      const [company] = await executeRows<{ id: string }>(db, sql`insert into companies (name) values ('Acme') returning id`);
      const [user] = await executeRows<{ id: string }>(
        db,
        sql`insert into users (company_id, name, email, password_hash) values (${company!.id}, 'Ann', 'ann@acme.test', 'x') returning id`,
      );
      const [conn] = await executeRows<{ id: string }>(
        db,
        sql`insert into sync_connections (company_id, user_id, provider, account_email) values (${company!.id}, ${user!.id}, 'google', 'ann@gmail.test') returning id`,
      );
      const person = async () =>
        (await executeRows<{ id: string }>(db, sql`insert into persons (company_id, owner_id, first_name) values (${company!.id}, ${user!.id}, 'P') returning id`))[0]!.id;
      const base = { firstName: "P", lastName: "", emails: [], phones: [], address: null, postalAddress: null, ims: [], organization: null, jobTitle: null, notes: null, birthday: null };
      const ids = { linked: await person(), stale: await person(), pending: await person(), unconfirmed: await person(), toCreate: await person() };
      const link = (personId: string, providerId: string, b: object, version: number, etag: string | null = null) =>
        db.execute(sql`insert into sync_links (connection_id, person_id, provider_id, etag, base, crm_version, crm_changed, photo_url)
          values (${conn!.id}, ${personId}, ${providerId}, ${etag}, ${JSON.stringify(b)}::jsonb, ${version}, ${version === -1}, ${providerId === "people/c1" ? "https://photo" : null})`);
      await link(ids.linked, "people/c1", base, 3, "e1");
      await link(ids.stale, "people/c2", { ...base, firstName: "Q" }, -1, "e2");
      await link(ids.pending, `pending:${ids.pending}`, { ...base, firstName: "Sent" }, 2);
      await link(ids.unconfirmed, `unconfirmed:${ids.unconfirmed}`, { ...base, firstName: "Lost" }, 4);
      await link(ids.toCreate, `tocreate:${ids.toCreate}`, {}, 0);
      const counted = async () => (await executeRows<{ n: number }>(db, sql`select linked_count as n from sync_connections where id = ${conn!.id}`))[0]!.n;
      expect(await counted()).toBe(2);

      await migrate(handle, MIGRATIONS_FOLDER);

      const rows = await executeRows<{ person_id: string; state: string; provider_id: string | null; etag: string | null; base: unknown; crm_version: number | null; crm_changed: boolean; photo_url: string | null }>(
        db,
        sql`select person_id, state, provider_id, etag, base, crm_version, crm_changed, photo_url from sync_links where connection_id = ${conn!.id}`,
      );
      const of = (personId: string) => rows.find((r) => r.person_id === personId);
      expect(rows).toHaveLength(5);
      expect(of(ids.linked)).toEqual({ person_id: ids.linked, state: "linked", provider_id: "people/c1", etag: "e1", base, crm_version: 3, crm_changed: false, photo_url: "https://photo" });
      expect(of(ids.stale)).toMatchObject({ state: "linked", provider_id: "people/c2", etag: "e2", base: { ...base, firstName: "Q" }, crm_version: null, crm_changed: true });
      expect(of(ids.pending)).toMatchObject({ state: "pending_create", provider_id: null, base: { ...base, firstName: "Sent" }, crm_version: 2 });
      expect(of(ids.unconfirmed)).toMatchObject({ state: "unconfirmed", provider_id: null, base: { ...base, firstName: "Lost" }, crm_version: 4 });
      expect(of(ids.toCreate)).toMatchObject({ state: "to_create", provider_id: null, base: null, crm_version: null });
      expect(await counted()).toBe(2);

      // The counter follows the state now: a create confirmed counts, a link removed no longer.
      await db.execute(sql`update sync_links set state = 'linked', provider_id = 'people/c3' where person_id = ${ids.pending}`);
      await db.execute(sql`delete from sync_links where person_id = ${ids.linked}`);
      expect(await counted()).toBe(2);
      // A provider id and a state that disagree are refused.
      await expect(db.execute(sql`update sync_links set provider_id = 'people/c9' where person_id = ${ids.unconfirmed}`)).rejects.toThrow();
    } finally {
      await handle.close();
    }
  });
});
