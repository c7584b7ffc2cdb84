import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePng } from "../shared/images";
import { setConfig } from "../shared/admin-client";
import { googleErrorBody, newGoogleAccount, rejection, statusOf } from "../test-helpers";
import { startGoogleEmulator, type GoogleEmulator } from "./server";

let emu: GoogleEmulator;
beforeAll(async () => {
  emu = await startGoogleEmulator();
});
afterAll(async () => {
  await emu.close();
});

const ALL = "names,emailAddresses,phoneNumbers,addresses,imClients,organizations,biographies,birthdays,memberships,photos,metadata";

describe("createContact and people.get", () => {
  it("creates a contact with server-computed fields, a default photo and the myContacts membership", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({
      personFields: ALL,
      requestBody: {
        names: [{ givenName: "Ada", familyName: "Lovelace" }],
        emailAddresses: [{ value: "ada@example.com", type: "work" }],
        phoneNumbers: [{ value: "+44 20 7946 0000", type: "mobile" }],
        addresses: [{ streetAddress: "1 Main St", city: "London", postalCode: "N1", country: "United Kingdom", countryCode: "GB", type: "home" }],
        imClients: [{ username: "ada", protocol: "skype", type: "work" }],
        organizations: [{ name: "Analytical Engines", title: "Programmer", type: "work" }],
        biographies: [{ value: "notes", contentType: "TEXT_PLAIN" }],
        birthdays: [{ date: { month: 12, day: 10 } }],
      },
    });
    const p = created.data;
    expect(p.resourceName).toMatch(/^people\/c\d+$/);
    expect(p.etag).toMatch(/^%/);
    expect(p.names?.[0]).toMatchObject({ displayName: "Ada Lovelace", displayNameLastFirst: "Lovelace, Ada", unstructuredName: "Ada Lovelace" });
    expect(p.names?.[0]?.metadata?.source?.type).toBe("CONTACT");
    expect(p.emailAddresses?.[0]?.formattedType).toBe("Work");
    expect(p.phoneNumbers?.[0]?.canonicalForm).toBe("+442079460000");
    expect(p.addresses?.[0]?.formattedValue).toBe("1 Main St\nLondon N1\nUnited Kingdom");
    expect(p.imClients?.[0]?.formattedProtocol).toBe("Skype");
    expect(p.birthdays?.[0]?.date).toEqual({ month: 12, day: 10 });
    expect(p.photos?.[0]?.default).toBe(true);
    expect(p.memberships?.map((m) => m.contactGroupMembership?.contactGroupResourceName)).toEqual(["contactGroups/myContacts"]);
    expect(p.metadata?.sources?.[0]).toMatchObject({ type: "CONTACT" });

    const fetched = await people.people.get({ resourceName: p.resourceName ?? "", personFields: "names" });
    expect(fetched.data.names?.[0]?.givenName).toBe("Ada");
    expect(fetched.data.emailAddresses).toBeUndefined();
  });

  it("rejects unknown JSON fields, wrong types and a second name", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const unknown = await rejection(people.people.createContact({ requestBody: { names: [{ givenName: "X", nickname: "y" }] } as never }));
    expect(statusOf(unknown)).toBe(400);
    expect(googleErrorBody(unknown).message).toBe(`Invalid JSON payload received. Unknown name "nickname" at 'person.names[0]': Cannot find field.`);
    const wrongType = await rejection(people.people.createContact({ requestBody: { birthdays: [{ date: { month: "May" } }] } as never }));
    expect(googleErrorBody(wrongType).message).toMatch(/Invalid value at 'person.birthdays\[0\].date.month' \(TYPE_INT32\)/);
    const twoNames = await rejection(people.people.createContact({ requestBody: { names: [{ givenName: "A" }, { givenName: "B" }] } }));
    expect(googleErrorBody(twoNames).message).toBe("Cannot have more than one person.names per source.");
  });

  it("answers 404 NOT_FOUND for a deleted contact and 400 for a malformed resource name", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ requestBody: { names: [{ givenName: "Gone" }] } });
    const deleted = await people.people.deleteContact({ resourceName: created.data.resourceName ?? "" });
    expect(deleted.data).toEqual({});
    const error = await rejection(people.people.get({ resourceName: created.data.resourceName ?? "", personFields: "names" }));
    expect(statusOf(error)).toBe(404);
    expect(googleErrorBody(error)).toMatchObject({ status: "NOT_FOUND", message: "Requested entity was not found." });
    const malformed = await rejection(people.people.get({ resourceName: "people/not-a-contact", personFields: "names" }));
    expect(statusOf(malformed)).toBe(400);
  });

  it("returns the signed-in user's profile for people/me", async () => {
    const { people, email } = await newGoogleAccount(emu.url);
    const me = await people.people.get({ resourceName: "people/me", personFields: "names,emailAddresses" });
    expect(me.data.resourceName).toMatch(/^people\/\d+$/);
    expect(me.data.emailAddresses?.[0]?.value).toBe(email);
  });
});

describe("updateContact", () => {
  it("replaces masked fields, clears masked fields absent from the body, and changes the etag", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ requestBody: { names: [{ givenName: "Old" }], emailAddresses: [{ value: "a@example.com" }], phoneNumbers: [{ value: "123" }] } });
    const updated = await people.people.updateContact({
      resourceName: created.data.resourceName ?? "",
      updatePersonFields: "names,emailAddresses",
      personFields: "names,emailAddresses,phoneNumbers",
      requestBody: { etag: created.data.etag, names: [{ givenName: "New" }] },
    });
    expect(updated.data.names?.[0]?.givenName).toBe("New");
    expect(updated.data.emailAddresses).toBeUndefined();
    expect(updated.data.phoneNumbers?.[0]?.value).toBe("123");
    expect(updated.data.etag).not.toBe(created.data.etag);
  });

  it("rejects a stale etag with 400 FAILED_PRECONDITION and accepts the etag from any read of the current version", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ requestBody: { names: [{ givenName: "V1" }] } });
    const rn = created.data.resourceName ?? "";
    await people.people.updateContact({ resourceName: rn, updatePersonFields: "names", requestBody: { etag: created.data.etag, names: [{ givenName: "V2" }] } });
    const stale = await rejection(people.people.updateContact({ resourceName: rn, updatePersonFields: "names", requestBody: { etag: created.data.etag, names: [{ givenName: "V3" }] } }));
    expect(statusOf(stale)).toBe(400);
    expect(googleErrorBody(stale)).toMatchObject({ status: "FAILED_PRECONDITION", message: "Request person.etag is different than the current person.etag. Clear local cache and get the latest person." });

    // Etags depend on the field mask, but any current one is accepted — including one from a list.
    const listed = await people.people.connections.list({ resourceName: "people/me", personFields: "names,emailAddresses" });
    const fromGet = await people.people.get({ resourceName: rn, personFields: "names" });
    const listEtag = listed.data.connections?.[0]?.etag ?? "";
    expect(listEtag).not.toBe(fromGet.data.etag);
    const ok = await people.people.updateContact({ resourceName: rn, updatePersonFields: "names", requestBody: { etag: listEtag, names: [{ givenName: "V3" }] } });
    expect(ok.data.names?.[0]?.givenName).toBe("V3");

    const sourceEtag = ok.data.metadata?.sources?.[0]?.etag;
    await people.people.updateContact({ resourceName: rn, updatePersonFields: "names", requestBody: { metadata: { sources: [{ type: "CONTACT", etag: sourceEtag }] }, names: [{ givenName: "V4" }] } });
  });

  it("rejects list etags in strict mode, so adapters exercise refetch-and-retry", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ requestBody: { names: [{ givenName: "S" }] } });
    const listed = await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    await setConfig(emu.url, { strictEtags: true });
    try {
      const error = await rejection(people.people.updateContact({ resourceName: created.data.resourceName ?? "", updatePersonFields: "names", requestBody: { etag: listed.data.connections?.[0]?.etag, names: [{ givenName: "T" }] } }));
      expect(googleErrorBody(error).status).toBe("FAILED_PRECONDITION");
    } finally {
      await setConfig(emu.url, { strictEtags: false });
    }
  });

  it("requires updatePersonFields, an etag, writable paths and at least one membership", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ requestBody: { names: [{ givenName: "R" }] } });
    const rn = created.data.resourceName ?? "";
    const noMask = await rejection(people.people.updateContact({ resourceName: rn, requestBody: { etag: created.data.etag } }));
    expect(googleErrorBody(noMask).message).toMatch(/updatePersonFields mask is required/);
    const photos = await rejection(people.people.updateContact({ resourceName: rn, updatePersonFields: "photos", requestBody: { etag: created.data.etag } }));
    expect(googleErrorBody(photos).message).toMatch(/Invalid updatePersonFields mask path: "photos"/);
    const noEtag = await rejection(people.people.updateContact({ resourceName: rn, updatePersonFields: "names", requestBody: { names: [{ givenName: "S" }] } }));
    expect(googleErrorBody(noEtag).message).toBe("Request must set person.etag or person.metadata.sources.etag for the source that is being updated.");
    const noGroups = await rejection(people.people.updateContact({ resourceName: rn, updatePersonFields: "memberships", requestBody: { etag: created.data.etag, memberships: [] } }));
    expect(statusOf(noGroups)).toBe(400);
  });
});

describe("batch mutations", () => {
  it("batchCreateContacts returns createdPeople, or nothing without a readMask", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const withMask = await people.people.batchCreateContacts({ requestBody: { contacts: [{ contactPerson: { names: [{ givenName: "A" }] } }, { contactPerson: { names: [{ givenName: "B" }] } }], readMask: "names" } });
    expect(withMask.data.createdPeople?.map((c) => [c.httpStatusCode, c.person?.names?.[0]?.givenName])).toEqual([
      [200, "A"],
      [200, "B"],
    ]);
    const without = await people.people.batchCreateContacts({ requestBody: { contacts: [{ contactPerson: { names: [{ givenName: "C" }] } }] } });
    expect(without.data).toEqual({});
  });

  it("enforces the 200 / 200 / 500 limits with 400 INVALID_ARGUMENT", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const create = await rejection(people.people.batchCreateContacts({ requestBody: { contacts: Array.from({ length: 201 }, () => ({ contactPerson: { names: [{ givenName: "X" }] } })), readMask: "names" } }));
    expect(statusOf(create)).toBe(400);
    expect(googleErrorBody(create).status).toBe("INVALID_ARGUMENT");
    const contacts: Record<string, object> = {};
    for (let i = 0; i < 201; i++) contacts[`people/c${i + 1}`] = { etag: "x" };
    const update = await rejection(people.people.batchUpdateContacts({ requestBody: { contacts, updateMask: "names" } }));
    expect(statusOf(update)).toBe(400);
    const del = await rejection(people.people.batchDeleteContacts({ requestBody: { resourceNames: Array.from({ length: 501 }, (_, i) => `people/c${i + 1}`) } }));
    expect(statusOf(del)).toBe(400);
    const listed = await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    expect(listed.data.connections).toBeUndefined();
  });

  it("creates nothing when one contact of a batch is invalid, and names it in the error details", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const error = await rejection(
      people.people.batchCreateContacts({ requestBody: { contacts: [{ contactPerson: { names: [{ givenName: "ok" }] } }, { contactPerson: { names: [{ givenName: "a" }, { givenName: "b" }] } }], readMask: "names" } }),
    );
    expect(statusOf(error)).toBe(400);
    expect(JSON.stringify(googleErrorBody(error).details)).toContain('"1"');
    const listed = await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    expect(listed.data.connections).toBeUndefined();
  });

  it("batchUpdateContacts updates every contact atomically and returns updateResult", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.batchCreateContacts({ requestBody: { contacts: [{ contactPerson: { names: [{ givenName: "A" }] } }, { contactPerson: { names: [{ givenName: "B" }] } }], readMask: "names" } });
    const [a, b] = created.data.createdPeople?.map((c) => c.person) ?? [];
    const stale = await rejection(
      people.people.batchUpdateContacts({
        requestBody: { contacts: { [a?.resourceName ?? ""]: { etag: a?.etag, names: [{ givenName: "A2" }] }, [b?.resourceName ?? ""]: { etag: "%EgUDBw8SFwGL00ZBTIWmJw==", names: [{ givenName: "B2" }] } }, updateMask: "names", readMask: "names" },
      }),
    );
    expect(googleErrorBody(stale).status).toBe("FAILED_PRECONDITION");
    const unchanged = await people.people.get({ resourceName: a?.resourceName ?? "", personFields: "names" });
    expect(unchanged.data.names?.[0]?.givenName).toBe("A");
    const ok = await people.people.batchUpdateContacts({
      requestBody: { contacts: { [a?.resourceName ?? ""]: { etag: a?.etag, names: [{ givenName: "A2" }] }, [b?.resourceName ?? ""]: { etag: b?.etag, names: [{ givenName: "B2" }] } }, updateMask: "names", readMask: "names" },
    });
    expect(ok.data.updateResult?.[b?.resourceName ?? ""]?.person?.names?.[0]?.givenName).toBe("B2");
  });

  it("batchDeleteContacts deletes every named contact", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.batchCreateContacts({ requestBody: { contacts: [{ contactPerson: { names: [{ givenName: "A" }] } }, { contactPerson: { names: [{ givenName: "B" }] } }], readMask: "names" } });
    const names = created.data.createdPeople?.map((c) => c.person?.resourceName ?? "") ?? [];
    await people.people.batchDeleteContacts({ requestBody: { resourceNames: names } });
    const batch = await people.people.getBatchGet({ resourceNames: names, personFields: "names" });
    expect(batch.data.responses?.map((r) => r.httpStatusCode)).toEqual([404, 404]);
  });

  it("getBatchGet returns each requested person with a status", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ requestBody: { names: [{ givenName: "Here" }] } });
    const res = await people.people.getBatchGet({ resourceNames: [created.data.resourceName ?? "", "people/c123"], personFields: "names" });
    expect(res.data.responses?.[0]).toMatchObject({ requestedResourceName: created.data.resourceName, httpStatusCode: 200, status: {} });
    expect(res.data.responses?.[1]).toMatchObject({ requestedResourceName: "people/c123", httpStatusCode: 404 });
    const tooMany = await rejection(people.people.getBatchGet({ resourceNames: Array.from({ length: 201 }, (_, i) => `people/c${i + 1}`), personFields: "names" }));
    expect(statusOf(tooMany)).toBe(400);
  });
});

describe("contact photos", () => {
  it("uploads a photo that is served at its URL, changes the etag, and restores the default on delete", async () => {
    const { people } = await newGoogleAccount(emu.url);
    const created = await people.people.createContact({ personFields: "photos", requestBody: { names: [{ givenName: "Pic" }] } });
    const defaultUrl = created.data.photos?.[0]?.url ?? "";
    expect((await fetch(defaultUrl)).headers.get("content-type")).toBe("image/png");
    const png = encodePng(4, 3, () => [200, 10, 10]);
    const updated = await people.people.updateContactPhoto({ resourceName: created.data.resourceName ?? "", requestBody: { photoBytes: png.toString("base64"), personFields: "photos" } });
    const photo = updated.data.person?.photos?.[0];
    expect(photo?.default).toBeUndefined();
    expect(updated.data.person?.etag).not.toBe(created.data.etag);
    const served = await fetch(`${photo?.url ?? ""}?sz=50`);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    const noFields = await people.people.updateContactPhoto({ resourceName: created.data.resourceName ?? "", requestBody: { photoBytes: png.toString("base64") } });
    expect(noFields.data).toEqual({});
    const removed = await people.people.deleteContactPhoto({ resourceName: created.data.resourceName ?? "", personFields: "photos" });
    expect(removed.data.person?.photos?.[0]?.default).toBe(true);
    const bad = await rejection(people.people.updateContactPhoto({ resourceName: created.data.resourceName ?? "", requestBody: { photoBytes: Buffer.from("not an image").toString("base64") } }));
    expect(statusOf(bad)).toBe(400);
  });
});

describe("searchContacts", () => {
  it("finds contacts by a prefix of their name or e-mail", async () => {
    const { people } = await newGoogleAccount(emu.url);
    await people.people.createContact({ requestBody: { names: [{ givenName: "Grace", familyName: "Hopper" }], emailAddresses: [{ value: "grace@navy.example" }] } });
    await people.people.createContact({ requestBody: { names: [{ givenName: "Alan" }] } });
    const res = await people.people.searchContacts({ query: "hop", readMask: "names" });
    expect(res.data.results?.map((r) => r.person?.names?.[0]?.givenName)).toEqual(["Grace"]);
    const byEmail = await people.people.searchContacts({ query: "navy", readMask: "names" });
    expect(byEmail.data.results).toHaveLength(1);
  });
});
