// Google in the test kit (tests/kit/provider-kits.ts): its emulator for a test file, and an
// address book changed as a phone would change it, through the official People client.
import type { people_v1 } from "@googleapis/people";
import { startGoogleEmulator } from "@/emulators";
import { googlePeopleClient } from "@/emulators/clients";
import type { BookContact, ListedContact, PostalParts, ProviderBook } from "@/tests/kit/address-book";
import { emulatorKit } from "@/tests/kit/provider-kits";

const FIELDS = "names,emailAddresses,phoneNumbers,addresses,imClients,biographies,organizations,birthdays,memberships";
const BATCH = 200;

type Person = people_v1.Schema$Person;

const address = (a: PostalParts, type: string) => ({ streetAddress: a.street, city: a.city, region: a.region, postalCode: a.postalCode, country: "United States", countryCode: "US", type });

/** The person fields a contact's given values fill (names and organization apart: they merge). */
function personFields(c: BookContact): Person {
  const list = <T>(items: (T | false | "" | undefined)[]) => items.filter((i): i is T => !!i);
  return {
    ...(c.email || c.email2 ? { emailAddresses: list([c.email && { value: c.email, type: "work" }, c.email2 && { value: c.email2, type: "home" }]) } : {}),
    ...(c.phone || c.phone2 ? { phoneNumbers: list([c.phone && { value: c.phone, type: "mobile" }, c.phone2 && { value: c.phone2, type: "work" }]) } : {}),
    ...(c.home || c.work ? { addresses: list([c.home && address(c.home, "home"), c.work && address(c.work, "work")]) } : {}),
    ...(c.im ? { imClients: [{ username: c.im, protocol: "skype" }] } : {}),
    ...(c.notes ? { biographies: [{ value: c.notes, contentType: "TEXT_PLAIN" }] } : {}),
    ...(c.birthday ? { birthdays: [{ date: { year: +c.birthday.slice(0, 4), month: +c.birthday.slice(5, 7), day: +c.birthday.slice(8, 10) } }] } : {}),
  };
}

/** `c` written over `current`: names and the first organization keep what `c` does not say. */
function toPerson(c: BookContact, current: Person = {}): Person {
  const name = current.names?.[0];
  const org = current.organizations?.[0];
  return {
    ...(c.given !== undefined || c.family !== undefined
      ? { names: [{ ...name, givenName: c.given ?? name?.givenName, familyName: c.family ?? name?.familyName, unstructuredName: undefined, displayName: undefined }] }
      : {}),
    ...(c.company !== undefined || c.title !== undefined ? { organizations: [{ ...org, name: c.company ?? org?.name, title: c.title ?? org?.title }] } : {}),
    ...personFields(c),
  };
}

const fromPerson = (p: Person): ListedContact => ({
  etag: p.etag ?? "",
  given: p.names?.[0]?.givenName ?? undefined,
  family: p.names?.[0]?.familyName ?? undefined,
  email: p.emailAddresses?.[0]?.value ?? undefined,
  phone: p.phoneNumbers?.[0]?.value ?? undefined,
  notes: p.biographies?.[0]?.value ?? undefined,
  company: p.organizations?.[0]?.name ?? undefined,
  title: p.organizations?.[0]?.title ?? undefined,
});

async function openGoogleBook({ url, accessToken, group, create }: { url: string; accessToken: string; group: string; create: boolean }): Promise<ProviderBook> {
  const api = googlePeopleClient(url, { access_token: accessToken });
  const groupId =
    group === "My Contacts"
      ? "contactGroups/myContacts"
      : create
        ? (await api.contactGroups.create({ requestBody: { contactGroup: { name: group } } })).data.resourceName!
        : ((await api.contactGroups.list({ pageSize: 1000 })).data.contactGroups ?? []).find((g) => g.name === group)?.resourceName;
  if (!groupId) throw new Error(`No contact group "${group}"`);
  const membership = { contactGroupMembership: { contactGroupResourceName: groupId } };

  return {
    groupId,
    async add(c, opts = {}) {
      const body = toPerson(c);
      if (opts.inGroup !== false) body.memberships = [membership];
      return (await api.people.createContact({ requestBody: body, personFields: FIELDS })).data.resourceName!;
    },
    async addMany(contacts) {
      const ids: string[] = [];
      for (let i = 0; i < contacts.length; i += BATCH) {
        const batch = contacts.slice(i, i + BATCH).map((c) => ({ contactPerson: { ...toPerson(c), memberships: [membership] } }));
        const res = await api.people.batchCreateContacts({ requestBody: { contacts: batch, readMask: "names" } });
        ids.push(...(res.data.createdPeople ?? []).map((p) => p.person!.resourceName!));
      }
      return ids;
    },
    async update(id, c) {
      const current = (await api.people.get({ resourceName: id, personFields: FIELDS })).data;
      const body = toPerson(c, current);
      await api.people.updateContact({ resourceName: id, updatePersonFields: Object.keys(body).join(","), requestBody: { ...body, etag: current.etag, resourceName: id } });
    },
    async remove(id) {
      await api.people.deleteContact({ resourceName: id });
    },
    async removeMany(ids) {
      for (let i = 0; i < ids.length; i += 500) await api.people.batchDeleteContacts({ requestBody: { resourceNames: ids.slice(i, i + 500) } });
    },
    async leaveGroup(id) {
      await api.contactGroups.members.modify({ resourceName: groupId, requestBody: { resourceNamesToRemove: [id] } });
    },
    async setPhoto(id, png) {
      await api.people.updateContactPhoto({ resourceName: id, requestBody: { photoBytes: png.toString("base64") } });
    },
    async list() {
      const out = new Map<string, ListedContact>();
      let pageToken: string | undefined;
      do {
        const data = (await api.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize: 1000, pageToken })).data;
        for (const p of data.connections ?? []) {
          if (p.memberships?.some((m) => m.contactGroupMembership?.contactGroupResourceName === groupId)) out.set(p.resourceName!, fromPerson(p));
        }
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      return out;
    },
  };
}

export const testKit = emulatorKit("google", () => startGoogleEmulator({ port: 0 }), openGoogleBook);
