// The embedded database shared with the pages the app serves (`npm start`: the sync runs in the
// web server's process, on PGlite's one connection): while other queries wait for it, a pulled
// page goes in small transactions, so that they do not wait for the whole page — and a run
// interrupted between two of them resumes with nothing lost, duplicated or counted twice.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { persons, syncEvents, syncLinks } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import type { FaultPoint } from "@/lib/sync/engine/context";
import { EMBEDDED_CHUNK } from "@/lib/sync/engine/pull";
import { runSync } from "@/lib/sync/engine/run";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";

const pglite = testDatabases().find((d) => d.name === "pglite")!;

describe("a sync on the embedded database while pages are served", () => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("google"), openSeeded(pglite.open)]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  /** Queries one after another, as the pages of a few visitors make them, until stopped. */
  function visitors(): { busy: () => Promise<void>; stop: () => Promise<number> } {
    let running = true;
    let queries = 0;
    const loops = [0, 1, 2].map(async () => {
      while (running) {
        await handle.db.execute(sql`select count(*) from persons`);
        queries += 1;
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    return {
      /** Once they have made a few queries (and waited for each other). */
      busy: async () => {
        while (queries < 20) await new Promise((r) => setTimeout(r, 5));
      },
      stop: async () => {
        running = false;
        await Promise.all(loops);
        return queries;
      },
    };
  }

  it("goes in small transactions, and an interruption between two of them loses and repeats nothing", async () => {
    const total = EMBEDDED_CHUNK * 3 + 17;
    const book = await emu.addressBook(`shared-${Date.now()}@example.com`, "Clients");
    await book.addMany(Array.from({ length: total }, (_, i) => ({ given: "Shared", family: `Person${i}`, email: `shared${i}@example.com` })));
    const id = await connectBook(handle.db, demo, book, { direction: "one_way" });
    const adapter = () => adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY });

    const load = visitors();
    await load.busy();
    const seen: FaultPoint[] = [];
    const first = await runSync({
      db: handle.db,
      connectionId: id,
      trigger: "manual",
      adapter: await adapter(),
      fault: (point) => {
        seen.push(point);
        // Stopped after the page's first small transaction committed.
        if (point === "between-transactions") throw new Error("interrupted");
      },
    });
    expect(first).toMatchObject({ status: "done", outcome: "failed" });
    // The page (all of the contacts: one page) went in small transactions.
    expect(seen).toContain("between-transactions");
    const committed = await handle.db.select({ n: sql<number>`count(*)::int` }).from(syncLinks).where(eq(syncLinks.connectionId, id));
    expect(committed[0]!.n).toBeGreaterThan(0);
    expect(committed[0]!.n).toBeLessThan(total);

    const second = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapter() });
    const queries = await load.stop();
    expect(second).toMatchObject({ status: "done", outcome: "succeeded" });
    expect(queries).toBeGreaterThan(0);

    const links = await handle.db.select().from(syncLinks).where(eq(syncLinks.connectionId, id));
    expect(links).toHaveLength(total);
    expect(new Set(links.map((l) => l.personId)).size).toBe(total);
    const created = await handle.db.select({ n: sql<number>`count(*)::int` }).from(persons).where(sql`${persons.lastName} like 'Person%' and ${persons.firstName} = 'Shared'`);
    expect(created[0]!.n).toBe(total);
    const added = await handle.db.select({ n: sql<number>`count(*)::int` }).from(syncEvents).where(sql`${syncEvents.connectionId} = ${id} and ${syncEvents.kind} = 'added'`);
    expect(added[0]!.n).toBe(total);
  });

  it("takes a page in one transaction when nobody else waits", async () => {
    const book = await emu.addressBook(`alone-${Date.now()}@example.com`, "Clients");
    await book.addMany(Array.from({ length: EMBEDDED_CHUNK * 2 }, (_, i) => ({ given: "Alone", family: `Person${i}`, email: `alone${i}@example.com` })));
    const id = await connectBook(handle.db, demo, book, { direction: "one_way" });
    // (Quiet first: the queries of the test above are counted for a moment.)
    await new Promise((r) => setTimeout(r, 2_100));
    const seen: FaultPoint[] = [];
    const run = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY }), fault: (p) => void seen.push(p) });
    expect(run).toMatchObject({ status: "done", outcome: "succeeded", counts: { crmAdded: EMBEDDED_CHUNK * 2 } });
    expect(seen).not.toContain("between-transactions");
  });
});
