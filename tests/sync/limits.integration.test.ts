// What one connection may cost a run: no more contacts than Tandem syncs from one address book
// (a larger listing stops the run, saying so), and no more picture data per photo phase than
// PHOTO_BYTES_PER_PHASE (the rest waits for the next phase). The real engine, the Google
// emulator through the official client, a CardDAV server that lists more cards than any address
// book should hold; PGlite and a Postgres server.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { personPictures, persons, syncConnections, syncLinks } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { adapterForConnection, createConnection } from "@/lib/sync/accounts/connections";
import { syncPhotos } from "@/lib/sync/engine/photos";
import { runSync } from "@/lib/sync/engine/run";
import { LAST_ERROR } from "@/lib/sync/model/last-error";
import { MAX_BOOK_CONTACTS } from "@/lib/sync/model/provider";
import { PNG } from "@/tests/kit/address-book";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";
import { startTestHost, type TestHost } from "@/tests/kit/hosts";

describe.each(testDatabases())("limits of a run on $name", ({ open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let n = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("google"), openSeeded(open)]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  const lastError = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!.lastError;

  it("a full listing with more contacts than the installation syncs from one address book stops at the page that passes it, saying so", async () => {
    const book = await emu.addressBook(`limit${++n}-${Date.now()}@example.com`, "Clients");
    await book.addMany(Array.from({ length: 7 }, (_, i) => ({ given: "Many", family: `Limit${n}x${i}`, email: `limit${n}x${i}@example.com` })));
    const id = await connectBook(handle.db, demo, book, { direction: "one_way" });
    const run = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY, pageSize: 3 }), maxContacts: 5 });
    expect(run).toMatchObject({ status: "done", outcome: "failed", error: LAST_ERROR.bookTooLarge });
    expect(await lastError(id)).toBe(LAST_ERROR.bookTooLarge);
    // The first page (3) was within the limit; the second would have passed it.
    const links = await handle.db.select().from(syncLinks).where(eq(syncLinks.connectionId, id));
    expect(links).toHaveLength(3);
  });

  it("a photo phase stores at most its share of picture data; the next phase takes the rest", async () => {
    const book = await emu.addressBook(`photos${++n}-${Date.now()}@example.com`, "Clients");
    const ids = await book.addMany(Array.from({ length: 150 }, (_, i) => ({ given: "Photo", family: `Budget${n}x${i}`, email: `photo${n}x${i}@example.com` })));
    for (const cid of ids) await book.setPhoto(cid, PNG);
    const id = await connectBook(handle.db, demo, book, { direction: "one_way" });
    const adapter = await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY });
    expect(await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter })).toMatchObject({ outcome: "succeeded", counts: { crmAdded: 150 } });
    // A share smaller than one batch of photos: the phase stops after its first batch.
    expect(await syncPhotos({ db: handle.db, connectionId: id, adapter, bytesPerPhase: 1 })).toMatchObject({ status: "done", fetched: 100, remaining: true, bytesSpent: true });
    expect(await syncPhotos({ db: handle.db, connectionId: id, adapter, bytesPerPhase: 1 })).toMatchObject({ status: "done", fetched: 50, remaining: false });
    const pictures = await handle.db
      .select({ n: sql<number>`count(*)::int` })
      .from(personPictures)
      .innerJoin(persons, eq(persons.id, personPictures.personId))
      .where(sql`${persons.lastName} like ${`Budget${n}x%`}`);
    expect(pictures[0]!.n).toBe(150);
  });

  describe("a CardDAV server listing more cards than an address book should hold", () => {
    let server: TestHost;
    beforeAll(async () => {
      // Discovery as any server answers it; the address book lists MAX_BOOK_CONTACTS + 1 cards.
      server = await startTestHost({
        name: "127.0.0.1",
        address: "127.0.0.1",
        handle: (req, body, res) => {
          res.writeHead(207, { "content-type": "application/xml; charset=utf-8" });
          if (req.method === "REPORT" && body.includes("sync-collection")) {
            const entries = Array.from({ length: MAX_BOOK_CONTACTS + 1 }, (_, i) => `<response><href>/book/${i}.vcf</href><propstat><prop><getetag>"${i}"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>`);
            res.end(`<?xml version="1.0"?><multistatus xmlns="DAV:">${entries.join("")}<sync-token>http://x/sync/1</sync-token></multistatus>`);
          } else res.end(`<?xml version="1.0"?><multistatus xmlns="DAV:"></multistatus>`);
        },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("stops the run before anything is written, saying so", async () => {
      const id = await createConnection(handle.db, {
        companyId: demo.companyId,
        userId: demo.users.east,
        provider: "carddav",
        accountEmail: `huge${++n}@example.com`,
        tokens: { kind: "password", apiBaseUrl: `${server.url}/`, username: "huge", password: "pw", origins: [server.url] },
        groupId: "/book/",
        groupName: "Book",
        direction: "one_way",
        visibility: "owner",
      });
      const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id));
      const run = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterForConnection(handle.db, conn!, { retry: FAST_RETRY }) });
      expect(run).toMatchObject({ status: "done", outcome: "failed", error: LAST_ERROR.bookTooLarge });
      expect(await handle.db.select().from(syncLinks).where(eq(syncLinks.connectionId, id))).toEqual([]);
      // Only the listing was asked for: not one card.
      expect(server.hits.filter((h) => h.body.includes("addressbook-multiget"))).toEqual([]);
    });
  });
});
