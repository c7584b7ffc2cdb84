// Graph photos within the mailbox's limits: the photo phase asks Graph which of a folder's
// contacts have a picture (PidLidHasPicture) instead of asking each contact, keeps to its share
// of the 10,000 requests per 10 minutes across phases, and sends at most 4 requests at once.
// The official Graph client against the Microsoft emulator with its throttle on; a real database.
import { eq, isNotNull, and } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { personPictures, syncConnections, syncLinks } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { resetStats, setConfig } from "@/emulators/shared/admin-client";
import { syncPhotos } from "@/lib/sync/engine/photos";
import { runSync } from "@/lib/sync/engine/run";
import type { ProviderAdapter } from "@/lib/sync/model/provider";
import { PNG, type AddressBook } from "@/tests/kit/address-book";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";

describe.each(testDatabases())("Microsoft photos on $name", ({ open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let counter = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("microsoft"), openSeeded(open)]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  let book: AddressBook;
  let id: string;
  let pictured: string[];
  beforeEach(async () => {
    await setConfig(emu.url, { throttle: { maxConcurrentPerMailbox: null, batchConcurrency: null, requestsPerTenMinutes: null } });
    book = await emu.addressBook(`photos${++counter}-${Date.now()}@example.com`, "Clients");
    const ids = await book.addMany(Array.from({ length: 40 }, (_, k) => ({ given: `P${k}`, family: "Photo", email: `p${k}@example.com` })));
    pictured = [ids[3]!, ids[17]!, ids[29]!, ids[31]!, ids[38]!];
    for (const cid of pictured) await book.setPhoto(cid, PNG);
    id = await connectBook(handle.db, demo, book);
    const adapter = await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY });
    const run = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter });
    expect(run).toMatchObject({ status: "done", outcome: "succeeded" });
    await resetStats(emu.url, book.email);
    // Outlook's limits per mailbox from here on: 4 requests at once (a $batch's too), 10,000 per
    // 10 minutes. (The book is filled faster than Outlook would allow.)
    await setConfig(emu.url, { throttle: { maxConcurrentPerMailbox: 4, batchConcurrency: 4, requestsPerTenMinutes: 10_000 } });
  });

  const adapterWith = async (quota?: ProviderAdapter["photoQuota"]): Promise<ProviderAdapter> => {
    const adapter = await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY });
    return quota ? { ...adapter, photoQuota: quota } : adapter;
  };
  const photos = async (adapter: ProviderAdapter) => {
    const summary = await syncPhotos({ db: handle.db, connectionId: id, adapter });
    if (summary.status !== "done") throw new Error(`photos skipped: ${summary.reason}`);
    return summary;
  };
  const pictureCount = async () =>
    (
      await handle.db
        .select({ personId: personPictures.personId })
        .from(personPictures)
        .innerJoin(syncLinks, eq(syncLinks.personId, personPictures.personId))
        .where(eq(syncLinks.connectionId, id))
    ).length;
  const backlog = async () => (await handle.db.select({ id: syncLinks.id }).from(syncLinks).where(and(eq(syncLinks.connectionId, id), isNotNull(syncLinks.photoUrl)))).length;

  it("lists the contacts with a picture once and fetches only theirs, with no request throttled", async () => {
    // Every contact of a delta is a candidate (delta says nothing of photos).
    expect(await backlog()).toBe(40);
    const summary = await photos(await adapterWith());
    expect(summary).toMatchObject({ fetched: 5, checked: 40, remaining: false });
    // One listing page and the 5 photos: not 40 requests.
    expect(summary.requests).toBe(6);
    const stats = await book.stats();
    expect(stats.byEndpoint).toMatchObject({ "contacts.list": 1, "contacts.photo.value.get": 5 });
    expect(stats.byStatus["429"]).toBeUndefined();
    expect(await pictureCount()).toBe(5);
    expect(await backlog()).toBe(0);
    const [conn] = await handle.db.select({ used: syncConnections.photoWindowRequests }).from(syncConnections).where(eq(syncConnections.id, id));
    expect(conn?.used).toBe(6);
  });

  it("keeps to its share of the mailbox's requests across phases, and goes on in the next window", async () => {
    const adapter = await adapterWith({ requests: 3, windowMs: 10 * 60_000 });
    // The listing (1) and 2 photos spend the share; the other 3 wait, still noted.
    expect(await photos(adapter)).toMatchObject({ fetched: 2, requests: 3, remaining: true, quotaSpent: true });
    expect(await pictureCount()).toBe(2);
    expect(await backlog()).toBe(3);
    // A phase later in the same window (after the next run, in any worker) makes no request.
    expect(await photos(adapter)).toMatchObject({ fetched: 0, requests: 0, remaining: true, quotaSpent: true });
    expect((await book.stats()).byEndpoint["contacts.photo.value.get"]).toBe(2);
    // Once the window has passed, the rest come (3 left: asked directly, no listing).
    await handle.db.update(syncConnections).set({ photoWindowStartedAt: new Date(Date.now() - 11 * 60_000) }).where(eq(syncConnections.id, id));
    expect(await photos(adapter)).toMatchObject({ fetched: 3, requests: 3, remaining: false });
    expect(await pictureCount()).toBe(5);
    expect((await book.stats()).byEndpoint).toMatchObject({ "contacts.list": 1, "contacts.photo.value.get": 5 });
  });
});
