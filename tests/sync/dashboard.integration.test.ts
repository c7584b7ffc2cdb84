// The dashboard's read side (lib/sync/screens/dashboard.ts) after real runs: figures, the latest
// activity per kind, activity per day, and nothing of it for anyone but the connection's owner.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER, type DbHandle } from "@/db/client";
import { persons, syncActivityDays, syncConnections, syncFailures, syncLinks, syncRuns } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { getViewer } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import { connectionActivity, HIDDEN_PERSON_LABEL, listConnectionSummaries, listNeedsAttention, personSyncHistory } from "@/lib/sync/screens/dashboard";
import { runSync } from "@/lib/sync/engine/run";
import { testDatabases } from "@/tests/kit/databases";
import { adapterFor, connectBook, openSeeded } from "@/tests/kit/connect";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";

describe.each(testDatabases())("the contact sync dashboard on $name", ({ open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let east: Viewer;
  let west: Viewer;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("google"), openSeeded(open)]);
    east = (await getViewer(handle.db, demo.users.east))!;
    west = (await getViewer(handle.db, demo.users.west))!;
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  it("counts, latest activity per kind and per day, for the owner only", async () => {
    const book = await emu.addressBook(`dash-${Date.now()}@example.com`, "Clients");
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await book.add({ given: `Dash${i}`, family: "Board", email: `dash${i}@example.com` }));
    const id = await connectBook(handle.db, demo, book, { direction: "one_way" });
    const sync = async () => runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url) });
    await sync();
    await book.update(ids[0]!, { given: "Dash0", family: "Renamed", email: "dash0@example.com" });
    await book.remove(ids[1]!);
    await sync();

    const [summary] = await listConnectionSummaries(handle.db, east);
    expect(summary).toMatchObject({ id, inSync: 11, heldDeletions: 0, running: null, waiting: false });
    expect(summary!.lastRun).toMatchObject({ outcome: "succeeded", counts: { crmUpdated: 1, crmDeleted: 1 } });
    expect(summary!.lastRun!.finishedAt).toBeInstanceOf(Date);
    expect(summary).not.toHaveProperty("tokens");

    const activity = await connectionActivity(handle.db, east, id, { limit: 5 });
    expect(activity.added).toHaveLength(5);
    // (One run added them all at once: any 5 of the 12. Only the deleted one's person is gone.)
    expect(activity.added.every((e) => e.kind === "added" && e.personVisible === (e.label !== "Dash1 Board"))).toBe(true);
    const times = activity.added.map((e) => e.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(activity.updated.map((e) => [e.label, e.changes.map((c) => c.field)])).toEqual([["Dash0 Renamed", ["lastName"]]]);
    // The deleted person is in the trash: listed, and not linked to.
    expect(activity.deleted.map((e) => [e.label, e.personVisible])).toEqual([["Dash1 Board", false]]);
    const today = activity.days.at(-1)!;
    expect(activity.days).toHaveLength(14);
    expect(today).toMatchObject({ day: new Date().toISOString().slice(0, 10), added: 12, updated: 1, deleted: 1 });

    // The rollup the runs kept is what migration 0004's backfill computes from the events.
    const kept = await handle.db.select().from(syncActivityDays).where(eq(syncActivityDays.connectionId, id));
    const migration = fs.readFileSync(path.join(MIGRATIONS_FOLDER, "0004_activity_days.sql"), "utf8");
    const backfill = migration.slice(migration.indexOf('INSERT INTO "sync_activity_days"'));
    await handle.db.delete(syncActivityDays).where(eq(syncActivityDays.connectionId, id));
    await handle.db.execute(sql.raw(backfill));
    expect(await handle.db.select().from(syncActivityDays).where(eq(syncActivityDays.connectionId, id))).toEqual(kept);

    // One connection asked for by id (the status poll): the same figures.
    expect(await listConnectionSummaries(handle.db, east, id)).toEqual([summary]);

    // Someone else's connection reads as nothing, and a malformed id as nothing.
    expect(await listConnectionSummaries(handle.db, west)).toEqual([]);
    expect(await listConnectionSummaries(handle.db, west, id)).toEqual([]);
    expect(await listConnectionSummaries(handle.db, east, "not-a-uuid")).toEqual([]);
    const theirs = await connectionActivity(handle.db, west, id);
    expect([theirs.added, theirs.updated, theirs.deleted]).toEqual([[], [], []]);
    expect(theirs.days.every((d) => d.added + d.updated + d.deleted === 0)).toBe(true);
    expect((await connectionActivity(handle.db, east, "not-a-uuid")).added).toEqual([]);
  });

  it("a run whose worker stopped reads as interrupted and resuming — not as running, not as up to date", async () => {
    const book = await emu.addressBook(`interrupted-${Date.now()}@example.com`, "Clients");
    const id = await connectBook(handle.db, demo, book, { direction: "one_way" });
    const runId = crypto.randomUUID();
    // A worker claimed it and committed 8,000 contacts, then died: the run is still "running" and
    // its lease (never released) lapsed a moment ago.
    await handle.db.insert(syncRuns).values({ id: runId, connectionId: id, trigger: "initial", counts: {} as never, processed: 8000 });
    await handle.db.update(syncConnections).set({ leaseOwner: runId, leaseUntil: new Date(Date.now() - 1000) }).where(eq(syncConnections.id, id));
    const [stopped] = await listConnectionSummaries(handle.db, east, id);
    expect(stopped).toMatchObject({ running: null, interrupted: { processed: 8000 }, status: "active" });
    // While its lease was live it read as running.
    await handle.db.update(syncConnections).set({ leaseUntil: new Date(Date.now() + 60_000) }).where(eq(syncConnections.id, id));
    const [live] = await listConnectionSummaries(handle.db, east, id);
    expect(live).toMatchObject({ running: { runId, processed: 8000, resumed: false }, interrupted: null });
  });

  it("shows nothing of a person the viewer may no longer see, and nothing of other users' address books", async () => {
    const book = await emu.addressBook(`hidden-${Date.now()}@example.com`, "Clients");
    const cid = await book.add({ given: "Handed", family: "Away", email: "handed.away@example.com" });
    await book.add({ given: "Stays", family: "Mine", email: "stays.mine@example.com" });
    const id = await connectBook(handle.db, demo, book, { direction: "one_way", visibility: "company" });
    await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url) });
    const [link] = await handle.db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, id), eq(syncLinks.providerId, cid)));
    // An admin hands the person to West, visible to West only, and West renames it.
    await handle.db.update(persons).set({ ownerId: west.id, visibility: "owner", firstName: "Renamed" }).where(eq(persons.id, link!.personId));

    const { added } = await connectionActivity(handle.db, east, id);
    const hidden = added.find((e) => e.personHidden)!;
    expect(hidden).toMatchObject({ label: HIDDEN_PERSON_LABEL, personId: null, changes: [], personVisible: false, personHidden: true });
    expect(added.filter((e) => e.personHidden)).toHaveLength(1);
    expect(JSON.stringify(added)).not.toContain("Handed");
    expect(JSON.stringify(added)).not.toContain("Renamed");
    expect(JSON.stringify(added)).not.toContain(link!.personId);

    // Needs attention too: a refused write of that person waits, and East reads only that
    // something of a person they cannot see waits — not its name, id, or the provider's words.
    await handle.db.insert(syncFailures).values({ connectionId: id, personId: link!.personId, providerId: cid, operation: "update", label: "Handed Away", reason: "Google said: Handed Away's birthday is invalid", cause: "invalid", personVersion: 1 });
    const attention = await listNeedsAttention(handle.db, east, id);
    expect(attention.failed).toEqual([expect.objectContaining({ label: HIDDEN_PERSON_LABEL, personId: null, reason: "", cause: null, personVisible: false, personHidden: true })]);
    expect(JSON.stringify(attention)).not.toContain("Handed");
    expect(JSON.stringify(attention)).not.toContain(link!.personId);

    // West sees the person, but not East's address book: neither its account nor its events.
    const westView = await personSyncHistory(handle.db, west, link!.personId);
    expect(westView).toEqual({ links: [], events: [], otherLinks: 1 });
    const [other] = await handle.db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, id), sql`${syncLinks.providerId} <> ${cid}`));
    const eastView = await personSyncHistory(handle.db, east, other!.personId);
    expect(eastView!.links.map((l) => l.accountEmail)).toEqual([book.email]);
    expect(eastView!.events.length).toBeGreaterThan(0);
  });
});
