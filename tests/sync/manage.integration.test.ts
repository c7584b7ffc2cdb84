// Managing connections: every action checks ownership, permission and plan on the server,
// whatever a crafted request sends.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "@/db/client";
import { persons, syncConnections, syncEvents, syncLinks } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { getViewer } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import { mintToken } from "@/emulators";
import { ForbiddenError, NotFoundError, UserError } from "@/lib/errors";
import { runSync } from "@/lib/sync/engine/run";
import { answerHeldDeletions, configureConnection, disconnect, listProviderGroups, reconnect, restoreFromEvent, setPaused, syncNow } from "@/lib/sync/accounts/manage";
import type { ManageDeps } from "@/lib/sync/accounts/manage";
import { adapterFor, connectBook, emulatorOAuthConfig, openSeeded } from "@/tests/kit/connect";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";

describe("managing a connection", () => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let east: Viewer;
  let west: Viewer;
  let support: Viewer;
  let admin: Viewer;
  let deps: ManageDeps;
  let n = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("google"), openSeeded(() => createDb({}))]);
    [east, west, support, admin] = await Promise.all(
      (["east", "west", "support", "admin"] as const).map(async (k) => (await getViewer(handle.db, demo.users[k]))!),
    ) as [Viewer, Viewer, Viewer, Viewer];
    deps = { apiBaseUrl: `${emu.url}/`, oauthConfig: emulatorOAuthConfig("google", emu.url) };
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  /** East's connection to a fresh account with one group, on a read-only grant by default. */
  async function connection(scopes = ["https://www.googleapis.com/auth/contacts.readonly"]) {
    const book = await emu.addressBook(`manage${++n}@gmail.com`, "Clients");
    await book.add({ given: "Kim", family: `Managed${n}` });
    const minted = await mintToken(emu.url, book.email, scopes);
    const id = await connectBook(handle.db, demo, book, {
      unconfigured: true,
      direction: "one_way",
      visibility: "company",
      tokens: { accessToken: minted.access_token, refreshToken: minted.refresh_token, scope: scopes.join(" ") },
    });
    return { id, group: book.groupId };
  }

  const row = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0];

  it("lists the provider's groups live and saves valid settings, starting the first sync", async () => {
    const { id, group } = await connection();
    const groups = await listProviderGroups(handle.db, east, id, deps);
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(["Clients"]));
    expect(groups[0]?.id).toBe("contactGroups/myContacts");
    const result = await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "owner" }, deps);
    expect(result).toEqual({ saved: true, started: true, preview: null });
    const conn = await row(id);
    expect(conn).toMatchObject({ groupId: group, groupName: "Clients", visibility: "owner", direction: "one_way" });
    expect(conn!.runRequestedAt).not.toBeNull();
  });

  it("a new interval counts from the last run: shorter makes the connection due, 'only on Refresh' takes it off the clock", async () => {
    const { id, group } = await connection();
    await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "owner" }, deps);
    const lastRunAt = new Date(Date.now() - 20 * 60_000);
    await handle.db.update(syncConnections).set({ lastRunAt, nextRunAt: new Date(Date.now() + 40 * 60_000), syncIntervalMinutes: 60 }).where(eq(syncConnections.id, id));
    await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "owner", interval: 15 }, deps);
    expect((await row(id))!.syncIntervalMinutes).toBe(15);
    expect(Math.abs((await row(id))!.nextRunAt.getTime() - (lastRunAt.getTime() + 15 * 60_000))).toBeLessThan(1_000);
    await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "owner", interval: 0 }, deps);
    expect((await row(id))!.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 90 * 365 * 24 * 3_600_000);
    // Saving other settings leaves the interval and the next run alone.
    const next = (await row(id))!.nextRunAt;
    await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "company" }, deps);
    expect(await row(id)).toMatchObject({ syncIntervalMinutes: 0, nextRunAt: next });
  });

  it("refuses a group that is not in the address book and a visibility the plan does not offer", async () => {
    const { id, group } = await connection();
    await expect(configureConnection(handle.db, east, id, { groupId: "contactGroups/nope", direction: "one_way", visibility: "company" }, deps)).rejects.toThrow(
      /no longer exists/,
    );
    await expect(configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "followers" }, deps)).rejects.toThrow(
      /not available on your company's plan/,
    );
    expect((await row(id))!.groupId).toBeNull();
  });

  it("asks for write access before syncing two-way on a read-only grant", async () => {
    const { id, group } = await connection();
    const result = await configureConnection(handle.db, east, id, { groupId: group, direction: "two_way", visibility: "company" }, deps);
    expect("consentUrl" in result && new URL(result.consentUrl).searchParams.get("scope")).toMatch(/auth\/contacts(\s|$)/);
    expect((await row(id))!.status).toBe("reconnect_needed");
    await expect(syncNow(handle.db, east, id)).rejects.toThrow(/Reconnect/);
  });

  it("every action refuses a connection of another user as missing, and a user without the permissions", async () => {
    const { id, group } = await connection();
    const calls: [string, (v: Viewer) => Promise<unknown>][] = [
      ["groups", (v) => listProviderGroups(handle.db, v, id, deps)],
      ["configure", (v) => configureConnection(handle.db, v, id, { groupId: group, direction: "one_way", visibility: "company" }, deps)],
      ["pause", (v) => setPaused(handle.db, v, id, true)],
      ["disconnect", (v) => disconnect(handle.db, v, id, false)],
      ["held", (v) => answerHeldDeletions(handle.db, v, id, true)],
      ["sync now", (v) => syncNow(handle.db, v, id)],
      ["reconnect", (v) => reconnect(handle.db, v, id, deps)],
    ];
    for (const [name, call] of calls) {
      await expect(call(west), `${name} as another user`).rejects.toBeInstanceOf(NotFoundError);
      await expect(call(admin), `${name} as a global admin`).rejects.toBeInstanceOf(NotFoundError);
      await expect(call(support), `${name} without permission`).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(await row(id)).toMatchObject({ status: "active", groupId: null });
  });

  it("pauses and resumes; a paused connection does not sync now", async () => {
    const { id, group } = await connection();
    await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "company" }, deps);
    await setPaused(handle.db, east, id, true);
    expect((await row(id))!.status).toBe("paused");
    await expect(syncNow(handle.db, east, id)).rejects.toBeInstanceOf(UserError);
    await setPaused(handle.db, east, id, false);
    expect((await row(id))!.status).toBe("active");
  });

  it("disconnecting keeps or removes the synced persons as asked; a removed one is in the trash", async () => {
    for (const keep of [true, false]) {
      const { id, group } = await connection();
      await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "company" }, deps);
      await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url) });
      const [link] = await handle.db.select().from(syncLinks).where(eq(syncLinks.connectionId, id));
      const result = await disconnect(handle.db, east, id, keep);
      expect(result.removedPersons).toBe(keep ? 0 : 1);
      expect(await row(id)).toBeUndefined();
      const [person] = await handle.db.select().from(persons).where(eq(persons.id, link!.personId));
      expect(person!.deletedAt === null).toBe(keep);
    }
  });

  it("restores only from the viewer's own events", async () => {
    const { id, group } = await connection();
    await configureConnection(handle.db, east, id, { groupId: group, direction: "one_way", visibility: "company" }, deps);
    await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url) });
    const [link] = await handle.db.select().from(syncLinks).where(eq(syncLinks.connectionId, id));
    await handle.db.update(persons).set({ deletedAt: new Date() }).where(eq(persons.id, link!.personId));
    const [event] = await handle.db
      .insert(syncEvents)
      .values({ connectionId: id, personId: link!.personId, kind: "deleted", side: "crm", label: "Kim" })
      .returning();
    await expect(restoreFromEvent(handle.db, west, event!.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await restoreFromEvent(handle.db, east, event!.id)).toBe(link!.personId);
    await expect(restoreFromEvent(handle.db, east, event!.id)).rejects.toThrow(/not deleted any more/);
  });
});
