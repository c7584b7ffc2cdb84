// Benchmark: a first sync's preview (lib/sync/first-sync/preview.ts) of a 25,000-contact group for a user
// who already owns 25,000 persons, in a company of 100,000: the group listed through the
// provider's client, staged, and paired in the database.
// The user's persons: half of them match a contact (9/25 by e-mail, 1/25 by full name only), a
// tenth are ambiguous (pairs of persons sharing one contact's address: the contact waits for
// the user's choice), the rest match nothing. The other 75,000 persons belong to other users
// and hold the same addresses: never candidates.
// Then the first run applies the preview (linking instead of creating), measured for the record.
//   tsx bench/match.ts [--provider google|microsoft] [--db postgres|pglite] [--contacts N]
import { eq, sql } from "drizzle-orm";
import { insertMany } from "@/db/bulk";
import { persons, syncConnections } from "@/db/schema";
import { benchMain } from "./lib/cli";
import { report, scale, seconds } from "./lib/report";
import { runLine, SyncBench } from "./lib/scenario";

const CHUNK = 5_000;

/** The persons of the benchmark's company, for a group of n contacts (contact i is
 * "Given{i} Family{i}" with person{i}@example.com, see lib/address-book.ts). */
function personsFor(n: number, owner: string, others: string[], companyId: string) {
  const byEmail = Math.round(n * 0.36);
  const byName = Math.round(n * 0.04);
  const tiedContacts = Math.round(n * 0.05); // two persons each: a tenth of the user's persons
  const rows: (typeof persons.$inferInsert)[] = [];
  const person = (ownerId: string, k: number, p: { email?: string; phone?: string; name?: [string, string] }) => {
    const emails = p.email ? [{ value: p.email, label: "work" }] : [];
    const phones = p.phone ? [{ value: p.phone, label: "mobile" }] : [];
    const [firstName, lastName] = p.name ?? [`Crm${k}`, "Person"];
    rows.push({ companyId, ownerId, visibility: "owner", firstName, lastName, emails, phones, searchText: "" });
  };
  let k = 0;
  for (let i = 0; i < byEmail; i++) person(owner, k++, { email: `person${i}@example.com` });
  for (let i = byEmail; i < byEmail + byName; i++) person(owner, k++, { name: [`Given${i}`, `Family${i}`] });
  for (let i = byEmail + byName; i < byEmail + byName + tiedContacts; i++) {
    person(owner, k++, { email: `person${i}@example.com` });
    person(owner, k++, { email: `person${i}@example.com` });
  }
  while (k < n) person(owner, k++, { email: `nobody${k}@crm.example`, phone: `+4420${String(k).padStart(8, "0")}` });
  // Everyone else's persons, with the group's addresses: not the user's to pair.
  for (let i = 0; i < n * 3; i++) person(others[i % others.length]!, k++, { email: `person${i % n}@example.com` });
  return { rows, expected: { link: byEmail + byName, choose: tiedContacts, create: n - byEmail - byName - tiedContacts } };
}

benchMain(
  "match",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "one_way" });
    try {
      const { users, companyId } = bench.world;
      const { rows, expected } = personsFor(contacts, users.east!, [users.west!, users.manager!, users.admin!], companyId);
      await bench.withDb(async (d) => {
        // Only the benchmark's persons are east's (the demo seed gives east a few, whose phones
        // some contacts of a 25,000 group share).
        await d.delete(persons).where(eq(persons.ownerId, users.east!));
        for (let i = 0; i < rows.length; i += CHUNK) await insertMany(d, persons, rows.slice(i, i + CHUNK));
        await d.execute(sql`vacuum analyze`);
      });
      const preview = await bench.preview();
      const got = preview.preview!;
      const correct = got.link === expected.link && got.choose === expected.choose && got.create === expected.create;
      if (!correct) throw new Error(`preview ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);

      // Start syncing: the first run links the pairs (ties answered "create", as a user might).
      await bench.withDb(async (d) => {
        await d.execute(sql`update sync_preview_contacts set decision = 'create' where decision = 'choose'`);
        await d.update(syncConnections).set({ status: "active" }).where(eq(syncConnections.id, bench.world.connectionId));
      });
      const first = await bench.run();
      const counts = first.summary?.status === "done" ? first.summary.counts : null;
      return report(
        `match-${scale(contacts)}-${provider}`,
        db,
        `preview of ${contacts} contacts against ${contacts} owned persons (${rows.length} in the company): ${got.link} linked, ${got.choose} to choose, ${got.create} to create; ` +
          `${runLine(preview)}. First run applying it: ${first.ms} ms, ${counts?.crmLinked ?? "?"} linked, ${counts?.crmAdded ?? "?"} added, peak RSS ${first.peakRssMb} MB`,
        [
          { name: "wall", value: seconds(preview.ms), limit: 5, unit: " s" },
          { name: "peak RSS", value: preview.peakRssMb, limit: 400, unit: " MB" },
        ],
        { contacts, provider, persons: rows.length, expected, preview, firstRun: first },
      );
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" } },
);
