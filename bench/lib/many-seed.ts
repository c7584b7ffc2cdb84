// The world of bench/many.ts: one Google emulator process holding N accounts of M contacts each,
// and a database with the demo company, N users of it (role "Sales East", the demo password's
// hash) and one connection per user to its own account's "Clients" group.
// Every account is built through the People API with the test kit's address book (the official
// client: one contactGroups.create and one people.batchCreateContacts per 200 contacts), as
// bench/lib/address-book.ts does for one account; account k holds benchContact(k·M … k·M+M−1),
// so no two accounts (and no two users' persons) share a name or an e-mail.
import { spawn, type ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { executeRows } from "@/db/client";
import type { Direction, Visibility } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { setConfig } from "@/emulators";
import { createConnection } from "@/lib/sync/accounts/connections";
import { openAddressBook } from "@/tests/kit/address-book";
import { benchContact } from "./address-book";
import { firstResult, stopChild } from "./proc";

export type BigEmulator = { url: string; pid: number; close(): Promise<void> };

/** The Google emulator in its own process (bench/lib/emulator-process.ts) with room for
 * hundreds of thousands of contacts, and access tokens that outlive the benchmark (the
 * connections store no refresh token, like the other benchmarks' connections). */
export async function startBigEmulator(): Promise<BigEmulator> {
  const child: ChildProcess = spawn(process.execPath, ["--max-old-space-size=8192", ...process.execArgv, "bench/lib/emulator-process.ts", "google", "0"], {
    env: process.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const { url } = await firstResult<{ url: string; port: number }>(child, "google emulator");
  await setConfig(url, { accessTokenLifetimeSec: 7 * 24 * 3600 });
  return { url, pid: child.pid!, close: () => stopChild(child) };
}

export type ManyWorld = { companyId: string; connectionIds: string[]; accountsMs: number; connectionsMs: number };

export async function seedMany(
  db: DB,
  emuUrl: string,
  opts: { connections: number; contacts: number; direction: Direction; visibility: Visibility; parallel: number; progress: (line: string) => void },
): Promise<ManyWorld> {
  const demo = await seedDemo(db);
  const companyId = demo.companyId;
  const users = await executeRows<{ id: string; email: string }>(
    db,
    sql`insert into users (company_id, name, email, password_hash, role_id)
        select ${companyId}, 'Many User ' || g, 'many-' || g || '@acme.test',
               (select password_hash from users where id = ${demo.users.east}), ${demo.roles.east}
        from generate_series(0, ${opts.connections - 1}) g
        returning id, email`,
  );
  const userOf = new Map(users.map((u) => [Number(/^many-(\d+)@/.exec(u.email)![1]), u.id]));

  // The accounts, `parallel` at a time (the emulator is one process; the client is the test kit's).
  const t0 = performance.now();
  const books: { email: string; groupId: string; secret: Awaited<ReturnType<typeof openAddressBook>>["secret"] }[] = new Array(opts.connections);
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (;;) {
      const k = next++;
      if (k >= opts.connections) return;
      const email = `many-${k}@gmail.com`;
      const book = await openAddressBook({ provider: "google", url: emuUrl, email, group: "Clients", create: true });
      const ids = await book.addMany(Array.from({ length: opts.contacts }, (_, j) => benchContact(k * opts.contacts + j)));
      if (ids.length !== opts.contacts) throw new Error(`account ${email}: ${ids.length} contacts created, not ${opts.contacts}`);
      books[k] = { email, groupId: book.groupId, secret: book.secret };
      if (++done % 500 === 0) opts.progress(`  accounts: ${done} of ${opts.connections} (${Math.round((performance.now() - t0) / 1000)} s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, lane));
  const accountsMs = performance.now() - t0;

  // The connections, one at a time (createConnection also makes the company's sync custom
  // fields the first time).
  const t1 = performance.now();
  const connectionIds: string[] = [];
  for (const [k, book] of books.entries()) {
    connectionIds.push(
      await createConnection(db, {
        companyId,
        userId: userOf.get(k)!,
        provider: "google",
        accountEmail: book.email,
        tokens: book.secret,
        groupId: book.groupId,
        groupName: "Clients",
        direction: opts.direction,
        visibility: opts.visibility,
      }),
    );
  }
  return { companyId, connectionIds, accountsMs, connectionsMs: performance.now() - t1 };
}
