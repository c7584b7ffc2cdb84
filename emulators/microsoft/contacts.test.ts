import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageIterator, type GraphError } from "@microsoft/microsoft-graph-client";
import { graphClient } from "../clients";
import { encodePng } from "../shared/images";
import { newGraphAccount, rejection } from "../test-helpers";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "./server";

let emu: MicrosoftEmulator;
beforeAll(async () => {
  emu = await startMicrosoftEmulator();
});
afterAll(async () => {
  await emu.close();
});

interface Contact {
  id: string;
  changeKey: string;
  "@odata.etag": string;
  displayName: string;
  parentFolderId: string;
  emailAddresses: { name?: string; address?: string }[];
  [key: string]: unknown;
}

const graphError = (e: unknown): GraphError => e as GraphError;

describe("contacts CRUD", () => {
  it("creates a contact with 201 and the full resource, server fields included", async () => {
    const { client } = await newGraphAccount(emu);
    const created: Contact = await client.api("/me/contacts").post({
      givenName: "Pavel",
      surname: "Bansky",
      emailAddresses: [{ address: "pavelb@fabrikam.example", name: "Pavel Bansky" }],
      businessPhones: ["+1 732 555 0102"],
      birthday: "1974-07-22",
      homeAddress: { street: "1 Main St", city: "Seattle", state: "WA", postalCode: "98121", countryOrRegion: "USA" },
    });
    expect(created.id).toMatch(/^AAMkAD/);
    expect(created["@odata.etag"]).toBe(`W/"${created.changeKey}"`);
    expect(created.displayName).toBe("Pavel Bansky");
    expect(created.birthday).toBe("1974-07-22T00:00:00Z");
    expect(created.mobilePhone).toBeNull();
    expect(created.homePhones).toEqual([]);
    expect(created.otherAddress).toEqual({});
    expect(created.personalNotes).toBe("");
    expect(typeof created.createdDateTime).toBe("string");
    const me = await client.api("/me").get();
    expect(created.parentFolderId).toBeTruthy();
    expect(me.userPrincipalName).toMatch(/@outlook\.com$/);
  });

  it("merges PATCH bodies, replaces arrays, regenerates the display name and changes changeKey", async () => {
    const { client } = await newGraphAccount(emu);
    const c: Contact = await client.api("/me/contacts").post({ givenName: "Ann", surname: "Lee", emailAddresses: [{ address: "a@example.com" }, { address: "b@example.com" }], jobTitle: "CEO" });
    const patched: Contact = await client.api(`/me/contacts/${c.id}`).patch({ surname: "Lee-Smith", emailAddresses: [{ address: "c@example.com" }] });
    expect(patched.jobTitle).toBe("CEO");
    expect(patched.emailAddresses).toEqual([{ address: "c@example.com" }]);
    expect(patched.displayName).toBe("Ann Lee-Smith");
    expect(patched.changeKey).not.toBe(c.changeKey);
    const kept: Contact = await client.api(`/me/contacts/${c.id}`).patch({ displayName: "Annie", givenName: "Anne" });
    expect(kept.displayName).toBe("Annie");
  });

  it("deletes with 204; afterwards the id is 404 ErrorItemNotFound; a malformed id is 400", async () => {
    const { client } = await newGraphAccount(emu);
    const c: Contact = await client.api("/me/contacts").post({ givenName: "Temp" });
    await client.api(`/me/contacts/${c.id}`).delete();
    const missing = graphError(await rejection(client.api(`/me/contacts/${c.id}`).get()));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("ErrorItemNotFound");
    expect(missing.message).toBe("The specified object was not found in the store.");
    const malformed = graphError(await rejection(client.api("/me/contacts/123").get()));
    expect(malformed.statusCode).toBe(400);
    expect(malformed.code).toBe("ErrorInvalidIdMalformed");
  });

  it("rejects unknown properties and Outlook's multi-value overflows", async () => {
    const { client } = await newGraphAccount(emu);
    const unknown = graphError(await rejection(client.api("/me/contacts").post({ givenName: "X", phoneNumbers: ["1"] })));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.code).toBe("RequestBodyRead");
    const emails = graphError(await rejection(client.api("/me/contacts").post({ emailAddresses: [1, 2, 3, 4].map((i) => ({ address: `${i}@example.com` })) })));
    expect(emails.code).toBe("ErrorInvalidProperty");
    expect(emails.message).toBe("The multi value property EmailAddresses has 4 entries, that exceeds the max allowed value of 3.");
    const phones = graphError(await rejection(client.api("/me/contacts").post({ businessPhones: ["1", "2", "3"] })));
    expect(phones.message).toMatch(/BusinessPhones has 3 entries/);
  });

  it("answers 412 when If-Match carries a stale change key", async () => {
    const { client } = await newGraphAccount(emu);
    const c: Contact = await client.api("/me/contacts").post({ givenName: "V1" });
    await client.api(`/me/contacts/${c.id}`).header("If-Match", c["@odata.etag"]).patch({ givenName: "V2" });
    const stale = graphError(await rejection(client.api(`/me/contacts/${c.id}`).header("If-Match", c["@odata.etag"]).patch({ givenName: "V3" })));
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe("ErrorIrresolvableConflict");
  });

  it("pages lists with $top and nextLink, which PageIterator follows, and honours $select and $filter", async () => {
    const { client } = await newGraphAccount(emu);
    for (let i = 0; i < 25; i++) await client.api("/me/contacts").post({ givenName: `P${i}`, emailAddresses: [{ address: `p${i}@example.com` }] });
    const first = await client.api("/me/contacts").top(10).select("displayName").get();
    expect(first.value).toHaveLength(10);
    expect(Object.keys(first.value[0])).toEqual(["@odata.etag", "id", "displayName"]);
    expect(first["@odata.nextLink"]).toMatch(/^https:\/\/localhost:\d+\/v1\.0\/me\/contacts\?/);
    const names: string[] = [];
    await new PageIterator(client, first, (c: Contact) => {
      names.push(c.displayName);
      return true;
    }).iterate();
    expect(names).toHaveLength(25);
    const filtered = await client.api("/me/contacts").filter("emailAddresses/any(a:a/address eq 'p7@example.com')").get();
    expect(filtered.value.map((c: Contact) => c.displayName)).toEqual(["P7"]);
    const badSelect = graphError(await rejection(client.api("/me/contacts").select("nope").get()));
    expect(badSelect.statusCode).toBe(400);
  });
});

describe("extended properties", () => {
  const STAMP = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name TandemPersonId";

  it("stores singleValueExtendedProperties, returns them only through $expand, and filters on them", async () => {
    const { client } = await newGraphAccount(emu);
    const c: Contact = await client.api("/me/contacts").post({ givenName: "Stamped", singleValueExtendedProperties: [{ id: STAMP, value: "person-1" }] });
    expect(c["singleValueExtendedProperties"]).toBeUndefined();
    await client.api("/me/contacts").post({ givenName: "Other", singleValueExtendedProperties: [{ id: STAMP, value: "person-2" }] });
    const expanded = await client.api(`/me/contacts/${c.id}`).expand(`singleValueExtendedProperties($filter=id eq '${STAMP}')`).get();
    expect(expanded.singleValueExtendedProperties).toEqual([{ id: STAMP, value: "person-1" }]);
    const found = await client.api("/me/contacts").filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${STAMP}' and ep/value eq 'person-2')`).get();
    expect(found.value.map((x: Contact) => x.givenName)).toEqual(["Other"]);
    await client.api(`/me/contacts/${c.id}`).patch({ singleValueExtendedProperties: [{ id: STAMP, value: "person-9" }] });
    const after = await client.api(`/me/contacts/${c.id}`).expand("singleValueExtendedProperties").get();
    expect(after.singleValueExtendedProperties).toEqual([{ id: STAMP, value: "person-9" }]);
    const bad = graphError(await rejection(client.api("/me/contacts").post({ singleValueExtendedProperties: [{ id: "nonsense", value: "x" }] })));
    expect(bad.statusCode).toBe(400);
  });

  // PidLidHasPicture (PSETID_Address, long id 0x8015): Exchange sets it with a contact's picture.
  const HAS_PICTURE = "Boolean {00062004-0000-0000-C000-000000000046} Id 0x8015";

  it("keeps PidLidHasPicture with the picture: $expand shows it, a folder list filtered on it finds only contacts with photos", async () => {
    const { client } = await newGraphAccount(emu);
    const folder = await client.api("/me/contactFolders").post({ displayName: "Pictured" });
    const make = (givenName: string): Promise<Contact> => client.api(`/me/contactFolders/${folder.id}/contacts`).post({ givenName });
    const [ann, bo, cy] = [await make("Ann"), await make("Bo"), await make("Cy")];
    await client.api("/me/contacts").post({ givenName: "Elsewhere" });
    const png = encodePng(2, 2, () => [10, 20, 30]);
    for (const c of [ann, cy]) await client.api(`/me/contacts/${c.id}/photo/$value`).header("Content-Type", "image/png").put(png);
    const withPictures = () =>
      client
        .api(`/me/contactFolders/${folder.id}/contacts`)
        .select("id")
        .top(1000)
        .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${HAS_PICTURE}' and ep/value eq 'true')`)
        .get() as Promise<{ value: { id: string }[] }>;
    expect((await withPictures()).value.map((c) => c.id).sort()).toEqual([ann.id, cy.id].sort());
    // The value is compared without regard to case, as Graph documents.
    const upper = await client.api(`/me/contactFolders/${folder.id}/contacts`).filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${HAS_PICTURE}' and ep/value eq 'TRUE')`).get();
    expect(upper.value).toHaveLength(2);
    const expanded = await client.api(`/me/contacts/${ann.id}`).expand(`singleValueExtendedProperties($filter=id eq '${HAS_PICTURE}')`).get();
    expect(expanded.singleValueExtendedProperties).toHaveLength(1);
    expect(expanded.singleValueExtendedProperties[0].value).toBe("true");
    const without = await client.api(`/me/contacts/${bo.id}`).expand(`singleValueExtendedProperties($filter=id eq '${HAS_PICTURE}')`).get();
    expect(without.singleValueExtendedProperties).toEqual([]);
    await client.api(`/me/contacts/${ann.id}/photo/$value`).delete();
    expect((await withPictures()).value.map((c) => c.id)).toEqual([cy.id]);
    // Delta carries no extended properties: $expand is refused there, as on Graph.
    const refused = graphError(await rejection(client.api(`/me/contactFolders/${folder.id}/contacts/delta`).expand("singleValueExtendedProperties").get()));
    expect(refused.statusCode).toBe(400);
  });
});

describe("contact folders", () => {
  it("creates, lists, renames and deletes folders; contacts live in their folder", async () => {
    const { client } = await newGraphAccount(emu);
    const clients = await client.api("/me/contactFolders").post({ displayName: "Clients" });
    const dup = graphError(await rejection(client.api("/me/contactFolders").post({ displayName: "Clients" })));
    expect(dup.statusCode).toBe(409);
    expect(dup.code).toBe("ErrorFolderExists");
    const inFolder: Contact = await client.api(`/me/contactFolders/${clients.id}/contacts`).post({ givenName: "In", surname: "Folder" });
    expect(inFolder.parentFolderId).toBe(clients.id);
    await client.api("/me/contacts").post({ givenName: "Default" });
    const folderList = await client.api(`/me/contactFolders/${clients.id}/contacts`).get();
    expect(folderList.value.map((c: Contact) => c.displayName)).toEqual(["In Folder"]);
    const defaultList = await client.api("/me/contacts").get();
    expect(defaultList.value.map((c: Contact) => c.displayName)).toEqual(["Default"]);
    const folders = await client.api("/me/contactFolders").get();
    expect(folders.value.map((f: { displayName: string }) => f.displayName)).toEqual(["Clients"]);
    const defaultFolder = await client.api(`/me/contactFolders/${clients.parentFolderId}`).get();
    expect(defaultFolder.displayName).toBe("Contacts");
    await client.api(`/me/contactFolders/${clients.id}`).patch({ displayName: "Customers" });
    expect((await client.api(`/me/contactFolders('${clients.id}')`).get()).displayName).toBe("Customers");
    await client.api(`/me/contactFolders/${clients.id}`).delete();
    expect(graphError(await rejection(client.api(`/me/contacts/${inFolder.id}`).get())).statusCode).toBe(404);
    expect(graphError(await rejection(client.api(`/me/contactFolders/${clients.parentFolderId}`).delete())).statusCode).toBe(400);
  });
});

describe("contact photos", () => {
  it("stores a photo via /photo/$value, serves it back with metadata, and 404s when absent", async () => {
    const { client } = await newGraphAccount(emu);
    const c: Contact = await client.api("/me/contacts").post({ givenName: "Pic" });
    const none = graphError(await rejection(client.api(`/me/contacts/${c.id}/photo/$value`).get()));
    expect(none.statusCode).toBe(404);
    const png = encodePng(6, 4, () => [0, 120, 200]);
    await client.api(`/me/contacts/${c.id}/photo/$value`).header("Content-Type", "image/png").put(png);
    const meta = await client.api(`/me/contacts/${c.id}/photo`).get();
    expect(meta).toMatchObject({ width: 6, height: 4, "@odata.mediaContentType": "image/png" });
    const bytes: ArrayBuffer = await client.api(`/me/contacts/${c.id}/photo/$value`).responseType("arraybuffer" as never).get();
    expect(Buffer.from(bytes).equals(png)).toBe(true);
    const after: Contact = await client.api(`/me/contacts/${c.id}`).get();
    expect(after.changeKey).not.toBe(c.changeKey);
    const sized = graphError(await rejection(client.api(`/me/contacts/${c.id}/photos/48x48/$value`).get()));
    expect(sized.statusCode).toBe(400);
  });
});

describe("addressing", () => {
  it("accepts /users/{upn} for the signed-in user and OData key syntax, and denies other users", async () => {
    const { client, email } = await newGraphAccount(emu);
    const c: Contact = await client.api(`/users/${email}/contacts`).post({ givenName: "Keyed" });
    const viaKey: Contact = await client.api(`/me/contacts('${c.id}')`).get();
    expect(viaKey.givenName).toBe("Keyed");
    const other = graphError(await rejection(client.api("/users/someone.else@outlook.com/contacts").get()));
    expect(other.statusCode).toBe(403);
    const unknownSegment = graphError(await rejection(client.api("/me/calendars").get()));
    expect(unknownSegment.statusCode).toBe(400);
  });
});

describe("authorization", () => {
  it("answers 403 ErrorAccessDenied for writes with a read-only token and 401 without a valid token", async () => {
    const { client } = await newGraphAccount(emu, ["Contacts.Read", "User.Read"]);
    await client.api("/me/contacts").get();
    const denied = graphError(await rejection(client.api("/me/contacts").post({ givenName: "X" })));
    expect(denied.statusCode).toBe(403);
    expect(denied.code).toBe("ErrorAccessDenied");
    const anonymous = graphClient(emu, () => "not-a-token");
    const unauth = graphError(await rejection(anonymous.api("/me/contacts").get()));
    expect(unauth.statusCode).toBe(401);
    expect(unauth.code).toBe("InvalidAuthenticationToken");
  });
});
