import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { people_v1 } from "@googleapis/people";
import { advanceClock, expireSyncTokens, setConfig } from "../shared/admin-client";
import { googleErrorBody, newGoogleAccount, rejection, statusOf } from "../test-helpers";
import { startGoogleEmulator, type GoogleEmulator } from "./server";

let emu: GoogleEmulator;
beforeAll(async () => {
  emu = await startGoogleEmulator();
});
afterAll(async () => {
  await emu.close();
});

const FIELDS = "names,emailAddresses,memberships,metadata";

async function createMany(people: people_v1.People, n: number, prefix = "Person"): Promise<string[]> {
  const names: string[] = [];
  for (let offset = 0; offset < n; offset += 200) {
    const contacts = Array.from({ length: Math.min(200, n - offset) }, (_, i) => ({ contactPerson: { names: [{ givenName: prefix, familyName: String(offset + i) }] } }));
    const res = await people.people.batchCreateContacts({ requestBody: { contacts, readMask: "names" } });
    for (const c of res.data.createdPeople ?? []) names.push(c.person?.resourceName ?? "");
  }
  return names;
}

async function fullSync(people: people_v1.People, pageSize: number): Promise<{ people: people_v1.Schema$Person[]; pages: number; syncToken: string }> {
  const all: people_v1.Schema$Person[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize, pageToken, requestSyncToken: true });
    pages += 1;
    all.push(...(res.data.connections ?? []));
    if (res.data.nextPageToken) {
      expect(res.data.nextSyncToken).toBeUndefined();
      pageToken = res.data.nextPageToken;
      continue;
    }
    return { people: all, pages, syncToken: res.data.nextSyncToken ?? "" };
  }
}

async function incremental(people: people_v1.People, syncToken: string, pageSize = 100): Promise<{ people: people_v1.Schema$Person[]; syncToken: string }> {
  const all: people_v1.Schema$Person[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const res = await people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize, pageToken, syncToken, requestSyncToken: true });
    all.push(...(res.data.connections ?? []));
    if (!res.data.nextPageToken) return { people: all, syncToken: res.data.nextSyncToken ?? "" };
    pageToken = res.data.nextPageToken;
  }
}

describe("people.connections.list paging", () => {
  it("pages through every contact once and returns nextSyncToken only on the last page", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await createMany(people, 450);
    const result = await fullSync(people, 100);
    expect(result.pages).toBe(5);
    expect(result.people.map((p) => p.resourceName).sort()).toEqual([...created].sort());
    expect(result.syncToken).not.toBe("");
  });

  it("defaults to 100 per page, reports totals and omits empty collections", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const empty = await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    expect(empty.data).toEqual({});
    await createMany(people, 150);
    const first = await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    expect(first.data.connections).toHaveLength(100);
    expect(first.data.totalItems).toBe(150);
    expect(first.data.totalPeople).toBe(150);
    expect(first.data.nextSyncToken).toBeUndefined();
  });

  it("rejects a page token used with different parameters", async () => {
    const { people } = await newGoogleAccount(emu.url);
    await createMany(people, 30);
    const first = await people.people.connections.list({ resourceName: "people/me", personFields: "names", pageSize: 10 });
    const error = await rejection(people.people.connections.list({ resourceName: "people/me", personFields: "names,emailAddresses", pageSize: 10, pageToken: first.data.nextPageToken ?? "" }));
    expect(statusOf(error)).toBe(400);
    expect(googleErrorBody(error).status).toBe("INVALID_ARGUMENT");
  });

  it("validates personFields and pageSize", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const missing = await rejection(people.people.connections.list({ resourceName: "people/me" }));
    expect(statusOf(missing)).toBe(400);
    expect(googleErrorBody(missing).message).toMatch(/personFields mask is required/);
    const unknown = await rejection(people.people.connections.list({ resourceName: "people/me", personFields: "names,notes" }));
    expect(googleErrorBody(unknown).message).toMatch(/Invalid personFields mask path: "notes"/);
    const tooBig = await rejection(people.people.connections.list({ resourceName: "people/me", personFields: "names", pageSize: 1001 }));
    expect(statusOf(tooBig)).toBe(400);
  });

  it("sorts by first name when asked and sync is not requested", async () => {
    const { people } = await newGoogleAccount(emu.url);
    for (const given of ["Charlie", "alice", "Bob"]) await people.people.createContact({ requestBody: { names: [{ givenName: given }] } });
    const res = await people.people.connections.list({ resourceName: "people/me", personFields: "names", sortOrder: "FIRST_NAME_ASCENDING", pageSize: 2 });
    const next = await people.people.connections.list({ resourceName: "people/me", personFields: "names", sortOrder: "FIRST_NAME_ASCENDING", pageSize: 2, pageToken: res.data.nextPageToken ?? "" });
    const order = [...(res.data.connections ?? []), ...(next.data.connections ?? [])].map((p) => p.names?.[0]?.givenName);
    expect(order).toEqual(["alice", "Bob", "Charlie"]);
  });
});

describe("incremental sync with sync tokens", () => {
  it("returns created, updated and deleted contacts since the token, deleted ones as tombstones", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const [keep, change, remove] = await createMany(people, 3);
    const base = await fullSync(people, 100);

    const nothing = await people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, syncToken: base.syncToken, requestSyncToken: true });
    expect(nothing.data.connections).toBeUndefined();
    expect(nothing.data.nextSyncToken).toBeTruthy();

    const current = await people.people.get({ resourceName: change ?? "", personFields: "names" });
    await people.people.updateContact({ resourceName: change ?? "", updatePersonFields: "names", requestBody: { etag: current.data.etag, names: [{ givenName: "Changed" }] } });
    await people.people.deleteContact({ resourceName: remove ?? "" });
    const added = await people.people.createContact({ requestBody: { names: [{ givenName: "New" }] } });

    const delta = await incremental(people, base.syncToken);
    const byName = new Map(delta.people.map((p) => [p.resourceName, p]));
    expect(byName.has(keep ?? "")).toBe(false);
    expect(byName.get(change ?? "")?.names?.[0]?.givenName).toBe("Changed");
    expect(byName.get(added.data.resourceName ?? "")?.names?.[0]?.givenName).toBe("New");
    const tombstone = byName.get(remove ?? "");
    expect(tombstone?.metadata?.deleted).toBe(true);
    expect(tombstone?.names).toBeUndefined();
    expect(tombstone?.etag).toBeTruthy();

    const after = await incremental(people, delta.syncToken);
    expect(after.people).toHaveLength(0);
  });

  it("paginates large incremental results and hands the next token on the last page", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const base = await fullSync(people, 100);
    await createMany(people, 250);
    let pages = 0;
    let pageToken: string | undefined;
    let count = 0;
    let nextSync: string | null | undefined;
    do {
      const res = await people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize: 100, pageToken, syncToken: base.syncToken, requestSyncToken: true });
      pages += 1;
      count += res.data.connections?.length ?? 0;
      pageToken = res.data.nextPageToken ?? undefined;
      nextSync = res.data.nextSyncToken;
      if (pageToken) expect(nextSync).toBeUndefined();
    } while (pageToken);
    expect(pages).toBe(3);
    expect(count).toBe(250);
    expect(nextSync).toBeTruthy();
  });

  it("reports a group membership change as a change of the person", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const group = await people.contactGroups.create({ requestBody: { contactGroup: { name: "Clients" } } });
    const [member] = await createMany(people, 1);
    const base = await fullSync(people, 100);
    await people.contactGroups.members.modify({ resourceName: group.data.resourceName ?? "", requestBody: { resourceNamesToAdd: [member ?? ""] } });
    const delta = await incremental(people, base.syncToken);
    expect(delta.people).toHaveLength(1);
    const groups = delta.people[0]?.memberships?.map((m) => m.contactGroupMembership?.contactGroupResourceName);
    expect(groups).toContain(group.data.resourceName);
  });

  it("expires sync tokens after 7 days with 400 FAILED_PRECONDITION / EXPIRED_SYNC_TOKEN", async () => {
    const { people } = await newGoogleAccount(emu.url);
    await createMany(people, 2);
    const base = await fullSync(people, 100);
    await advanceClock(emu.url, 6 * 24 * 3600 * 1000);
    const stillGood = await incremental(people, base.syncToken);
    expect(stillGood.syncToken).toBeTruthy();
    await advanceClock(emu.url, 2 * 24 * 3600 * 1000);
    // A fresh token (issued a day ago) works, the original one (8 days old) does not.
    await people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, syncToken: stillGood.syncToken, requestSyncToken: true });
    const error = await rejection(people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, syncToken: base.syncToken, requestSyncToken: true }));
    expect(statusOf(error)).toBe(400);
    const body = googleErrorBody(error);
    expect(body.status).toBe("FAILED_PRECONDITION");
    expect(body.details?.some((d) => d.reason === "EXPIRED_SYNC_TOKEN")).toBe(true);
  });

  it("expires every sync token, including page tokens of an incremental listing, when forced", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const base = await fullSync(people, 100);
    await createMany(people, 20);
    const firstPage = await people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize: 10, syncToken: base.syncToken, requestSyncToken: true });
    await expireSyncTokens(emu.url);
    for (const call of [
      people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, syncToken: base.syncToken, requestSyncToken: true }),
      people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize: 10, pageToken: firstPage.data.nextPageToken ?? "", syncToken: base.syncToken, requestSyncToken: true }),
    ]) {
      const error = await rejection(call);
      expect(statusOf(error)).toBe(400);
      expect(googleErrorBody(error).details?.[0]?.reason).toBe("EXPIRED_SYNC_TOKEN");
    }
    const fresh = await fullSync(people, 100);
    expect(fresh.people).toHaveLength(20);
  });

  it("can answer expired tokens with the legacy 410", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const base = await fullSync(people, 100);
    await setConfig(emu.url, { expiredSyncTokenStatus: 410 });
    try {
      await expireSyncTokens(emu.url);
      const error = await rejection(people.people.connections.list({ resourceName: "people/me", personFields: FIELDS, syncToken: base.syncToken, requestSyncToken: true }));
      expect(statusOf(error)).toBe(410);
    } finally {
      await setConfig(emu.url, { expiredSyncTokenStatus: 400 });
    }
  });

  it("delays changes into sync results while people.get sees them at once", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const base = await fullSync(people, 100);
    await setConfig(emu.url, { propagationDelayMs: 120_000 });
    try {
      const created = await people.people.createContact({ requestBody: { names: [{ givenName: "Delayed" }] } });
      const got = await people.people.get({ resourceName: created.data.resourceName ?? "", personFields: "names" });
      expect(got.data.names?.[0]?.givenName).toBe("Delayed");
      const early = await incremental(people, base.syncToken);
      expect(early.people).toHaveLength(0);
      await advanceClock(emu.url, 121_000);
      const late = await incremental(people, early.syncToken);
      expect(late.people.map((p) => p.resourceName)).toEqual([created.data.resourceName]);
    } finally {
      await setConfig(emu.url, { propagationDelayMs: 0 });
    }
  });
});
