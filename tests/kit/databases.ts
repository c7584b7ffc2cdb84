// The databases integration tests run against: an in-memory PGlite always, and a Postgres
// server too when TEST_DATABASE_URL is set (CI sets it). Each test file gets a database of its
// own on the server, so files can run in parallel.
import crypto from "node:crypto";
import { createDb, type DbHandle } from "@/db/client";

export type TestDatabase = { name: "pglite" | "postgres"; open: () => Promise<DbHandle> };

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ name: "pglite", open: () => createDb({}) }];
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) list.push({ name: "postgres", open: () => openFreshServerDatabase(serverUrl) });
  return list;
}

/** A database of its own on the server, dropped on close; `migrate: false` leaves it empty. */
export async function openFreshServerDatabase(serverUrl: string, { migrate = true } = {}): Promise<DbHandle> {
  const { default: postgres } = await import("postgres");
  const name = `tandem_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.toString(), max: 4, migrate });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
