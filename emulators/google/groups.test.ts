import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { people_v1 } from "@googleapis/people";
import { googleErrorBody, newGoogleAccount, rejection, statusOf } from "../test-helpers";
import { startGoogleEmulator, type GoogleEmulator } from "./server";

let emu: GoogleEmulator;
beforeAll(async () => {
  emu = await startGoogleEmulator();
});
afterAll(async () => {
  await emu.close();
});

async function contact(people: people_v1.People, given: string, groups: string[] = []): Promise<string> {
  const res = await people.people.createContact({
    requestBody: { names: [{ givenName: given }], memberships: groups.map((g) => ({ contactGroupMembership: { contactGroupResourceName: g } })) },
  });
  return res.data.resourceName ?? "";
}

describe("contactGroups", () => {
  it("lists user groups and the system groups, without members", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.contactGroups.create({ requestBody: { contactGroup: { name: "Clients" } } });
    expect(created.data).toMatchObject({ groupType: "USER_CONTACT_GROUP", name: "Clients", formattedName: "Clients" });
    expect(created.data.etag).toBeTruthy();
    expect(created.data.metadata?.updateTime).toBeTruthy();
    await contact(people, "A", [created.data.resourceName ?? ""]);
    const list = await people.contactGroups.list({});
    const byName = new Map(list.data.contactGroups?.map((g) => [g.resourceName, g]));
    expect(byName.get(created.data.resourceName)?.memberCount).toBe(1);
    expect(byName.get(created.data.resourceName)?.memberResourceNames).toBeUndefined();
    const myContacts = byName.get("contactGroups/myContacts");
    expect(myContacts).toMatchObject({ groupType: "SYSTEM_CONTACT_GROUP", name: "myContacts", formattedName: "My Contacts", memberCount: 1 });
    expect(myContacts?.etag).toBeUndefined();
    expect(byName.get("contactGroups/starred")?.memberCount).toBeUndefined();
    expect(list.data.nextSyncToken).toBeTruthy();
  });

  it("pages the group list 30 at a time by default", async () => {
    const { people } = await newGoogleAccount(emu.url);
    for (let i = 0; i < 25; i++) await people.contactGroups.create({ requestBody: { contactGroup: { name: `Group ${i}` } } });
    const first = await people.contactGroups.list({});
    expect(first.data.contactGroups).toHaveLength(30);
    expect(first.data.totalItems).toBe(33);
    const second = await people.contactGroups.list({ pageToken: first.data.nextPageToken ?? "" });
    expect(second.data.contactGroups).toHaveLength(3);
  });

  it("answers a duplicate group name with HTTP 409", async () => {
    const { people } = await newGoogleAccount(emu.url);
    await people.contactGroups.create({ requestBody: { contactGroup: { name: "Family" } } });
    const error = await rejection(people.contactGroups.create({ requestBody: { contactGroup: { name: "Family" } } }));
    expect(statusOf(error)).toBe(409);
  });

  it("returns members only up to maxMembers, with the full memberCount", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const g = await people.contactGroups.create({ requestBody: { contactGroup: { name: "Friends" } } });
    const rn = g.data.resourceName ?? "";
    for (const name of ["A", "B", "C"]) await contact(people, name, [rn]);
    const none = await people.contactGroups.get({ resourceName: rn });
    expect(none.data.memberResourceNames).toBeUndefined();
    expect(none.data.memberCount).toBe(3);
    const two = await people.contactGroups.get({ resourceName: rn, maxMembers: 2 });
    expect(two.data.memberResourceNames).toHaveLength(2);
    const batch = await people.contactGroups.batchGet({ resourceNames: [rn, "contactGroups/nope"] });
    expect(batch.data.responses?.[1]?.status?.code).toBe(5);
  });

  it("modifies members, reports unknown people and refuses to remove a contact's last group", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const g = await people.contactGroups.create({ requestBody: { contactGroup: { name: "Team" } } });
    const rn = g.data.resourceName ?? "";
    const a = await contact(people, "A");
    const res = await people.contactGroups.members.modify({ resourceName: rn, requestBody: { resourceNamesToAdd: [a, "people/c999"] } });
    expect(res.data.notFoundResourceNames).toEqual(["people/c999"]);
    const me = await people.people.get({ resourceName: a, personFields: "memberships" });
    expect(me.data.memberships?.map((m) => m.contactGroupMembership?.contactGroupResourceName)).toContain(rn);
    await people.contactGroups.members.modify({ resourceName: "contactGroups/myContacts", requestBody: { resourceNamesToRemove: [a] } });
    const last = await people.contactGroups.members.modify({ resourceName: rn, requestBody: { resourceNamesToRemove: [a] } });
    expect(last.data.canNotRemoveLastContactGroupResourceNames).toEqual([a]);
    const deprecated = await rejection(people.contactGroups.members.modify({ resourceName: "contactGroups/friends", requestBody: { resourceNamesToAdd: [a] } }));
    expect(statusOf(deprecated)).toBe(400);
    const starred = await people.contactGroups.members.modify({ resourceName: "contactGroups/starred", requestBody: { resourceNamesToAdd: [a] } });
    expect(starred.data).toEqual({});
  });

  it("lets a sync select one group's contacts through memberships", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const clients = (await people.contactGroups.create({ requestBody: { contactGroup: { name: "Clients" } } })).data.resourceName ?? "";
    const family = (await people.contactGroups.create({ requestBody: { contactGroup: { name: "Family" } } })).data.resourceName ?? "";
    const inClients = [await contact(people, "C1", [clients]), await contact(people, "C2", [clients, family])];
    await contact(people, "F1", [family]);
    await contact(people, "Nobody");
    const all = await people.people.connections.list({ resourceName: "people/me", personFields: "names,memberships", pageSize: 1000 });
    const selected = (all.data.connections ?? []).filter((p) => p.memberships?.some((m) => m.contactGroupMembership?.contactGroupResourceName === clients)).map((p) => p.resourceName);
    expect(selected.sort()).toEqual([...inClients].sort());
  });

  it("deletes a group keeping its contacts, or with them when deleteContacts is set", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const keep = (await people.contactGroups.create({ requestBody: { contactGroup: { name: "Keep" } } })).data.resourceName ?? "";
    const drop = (await people.contactGroups.create({ requestBody: { contactGroup: { name: "Drop" } } })).data.resourceName ?? "";
    const a = await contact(people, "A", [keep]);
    const b = await contact(people, "B", [drop]);
    await people.contactGroups.delete({ resourceName: keep });
    const stillThere = await people.people.get({ resourceName: a, personFields: "memberships" });
    expect(stillThere.data.memberships?.map((m) => m.contactGroupMembership?.contactGroupResourceName)).toEqual(["contactGroups/myContacts"]);
    await people.contactGroups.delete({ resourceName: drop, deleteContacts: true });
    expect(statusOf(await rejection(people.people.get({ resourceName: b, personFields: "names" })))).toBe(404);
    expect(statusOf(await rejection(people.contactGroups.get({ resourceName: drop })))).toBe(404);
    const system = await rejection(people.contactGroups.delete({ resourceName: "contactGroups/myContacts" }));
    expect(statusOf(system)).toBe(400);
  });

  it("renames a group with an etag check and reports changed and deleted groups since a sync token", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const g = await people.contactGroups.create({ requestBody: { contactGroup: { name: "Before" } } });
    const other = await people.contactGroups.create({ requestBody: { contactGroup: { name: "Other" } } });
    const base = await people.contactGroups.list({});
    const renamed = await people.contactGroups.update({ resourceName: g.data.resourceName ?? "", requestBody: { contactGroup: { etag: g.data.etag, name: "After" } } });
    expect(renamed.data.name).toBe("After");
    const stale = await rejection(people.contactGroups.update({ resourceName: g.data.resourceName ?? "", requestBody: { contactGroup: { etag: g.data.etag, name: "Again" } } }));
    expect(googleErrorBody(stale).status).toBe("FAILED_PRECONDITION");
    await people.contactGroups.delete({ resourceName: other.data.resourceName ?? "" });
    const changes = await people.contactGroups.list({ syncToken: base.data.nextSyncToken ?? "" });
    const byName = new Map(changes.data.contactGroups?.map((c) => [c.resourceName, c]));
    expect(byName.get(g.data.resourceName)?.name).toBe("After");
    expect(byName.get(other.data.resourceName)?.metadata?.deleted).toBe(true);
    expect(byName.has("contactGroups/myContacts")).toBe(false);
  });
});
