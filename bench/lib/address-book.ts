// A provider address book for a benchmark, built and changed only through the provider API with
// the official clients (as a user's phone or Outlook would): N contacts in one group/folder with
// every mapped field filled (name, 2 e-mails, 2 phones, home and work address, IM, company, job
// title, notes, birthday; a photo on a share of them).
import type { people_v1 } from "@googleapis/people";
import type { Client } from "@microsoft/microsoft-graph-client";
import { createAccount, mintToken } from "@/emulators";
import { googlePeopleClient, graphClient } from "@/emulators/clients";
import { portraitPhoto } from "@/emulators/shared/images";
import type { EmulatorHandle } from "./emulator";

export type AddressBook = {
  provider: "google" | "microsoft";
  email: string;
  token: string;
  /** Google contact group resource name, or Graph contact folder id. */
  groupId: string;
  /** Provider ids of the contacts, in creation order (changes keep it current). */
  ids: string[];
};

type Fields = ReturnType<typeof fields>;
function fields(i: number) {
  const d4 = String(i % 10_000).padStart(4, "0");
  return {
    given: `Given${i}`,
    family: `Family${i}`,
    work: `person${i}@example.com`,
    home: `p${i}@home.example`,
    mobile: `+1 415 555 ${d4}`,
    office: `+1 212 555 ${d4}`,
    street: `${i} Main St`,
    city: "Springfield",
    region: "IL",
    postalCode: "62701",
    workStreet: `${i % 500} Market St`,
    company: `Company ${i % 50}`,
    title: "Engineer",
    notes: `Met at conference ${i}.`,
    im: `im${i}`,
    birthday: { year: 1970 + (i % 30), month: 1 + (i % 12), day: 1 + (i % 28) },
  };
}

const googlePerson = (f: Fields, group: string): people_v1.Schema$Person => ({
  names: [{ givenName: f.given, familyName: f.family }],
  emailAddresses: [
    { value: f.work, type: "work" },
    { value: f.home, type: "home" },
  ],
  phoneNumbers: [
    { value: f.mobile, type: "mobile" },
    { value: f.office, type: "work" },
  ],
  addresses: [
    { streetAddress: f.street, city: f.city, region: f.region, postalCode: f.postalCode, country: "United States", countryCode: "US", type: "home" },
    { streetAddress: f.workStreet, city: f.city, region: f.region, postalCode: f.postalCode, country: "United States", countryCode: "US", type: "work" },
  ],
  organizations: [{ name: f.company, title: f.title }],
  biographies: [{ value: f.notes, contentType: "TEXT_PLAIN" }],
  imClients: [{ username: f.im, protocol: "skype" }],
  birthdays: [{ date: f.birthday }],
  memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
});

const pad2 = (n: number) => String(n).padStart(2, "0");
const graphContact = (f: Fields) => ({
  givenName: f.given,
  surname: f.family,
  emailAddresses: [
    { address: f.work, name: f.work },
    { address: f.home, name: f.home },
  ],
  mobilePhone: f.mobile,
  businessPhones: [f.office],
  homeAddress: { street: f.street, city: f.city, state: f.region, postalCode: f.postalCode, countryOrRegion: "United States" },
  businessAddress: { street: f.workStreet, city: f.city, state: f.region, postalCode: f.postalCode, countryOrRegion: "United States" },
  companyName: f.company,
  jobTitle: f.title,
  personalNotes: f.notes,
  imAddresses: [f.im],
  birthday: `${f.birthday.year}-${pad2(f.birthday.month)}-${pad2(f.birthday.day)}T00:00:00Z`,
});

/** Every `1/share`-th contact gets a photo (share 0: none). */
const hasPhoto = (i: number, share: number) => share > 0 && i % Math.round(1 / share) === 0;

export async function buildAddressBook(emu: EmulatorHandle, n: number, opts: { photoShare?: number; email?: string } = {}): Promise<AddressBook> {
  const email = opts.email ?? `bench-${emu.provider}@example.com`;
  await createAccount(emu.url, email, "Bench");
  const token = (await mintToken(emu.url, email)).access_token;
  const book: AddressBook = { provider: emu.provider, email, token, groupId: "", ids: [] };
  if (emu.provider === "google") {
    const api = googlePeopleClient(emu.url, { access_token: token });
    book.groupId = (await api.contactGroups.create({ requestBody: { contactGroup: { name: "Clients" } } })).data.resourceName!;
    book.ids = await googleCreate(api, book.groupId, 0, n);
    for (const [i, id] of book.ids.entries()) {
      if (hasPhoto(i, opts.photoShare ?? 0)) {
        await api.people.updateContactPhoto({ resourceName: id, requestBody: { photoBytes: portraitPhoto(i).toString("base64") } });
      }
    }
  } else {
    const api = graphClient(emu.url, () => token);
    book.groupId = ((await api.api("/me/contactFolders").post({ displayName: "Clients" })) as { id: string }).id;
    book.ids = await graphCreate(api, book.groupId, 0, n);
    for (const [i, id] of book.ids.entries()) {
      if (hasPhoto(i, opts.photoShare ?? 0)) await api.api(`/me/contacts/${id}/photo/$value`).header("Content-Type", "image/png").put(portraitPhoto(i));
    }
  }
  return book;
}

async function googleCreate(api: people_v1.People, group: string, from: number, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i += 200) {
    const contacts = Array.from({ length: Math.min(200, from + n - i) }, (_, k) => ({ contactPerson: googlePerson(fields(i + k), group) }));
    const res = await api.people.batchCreateContacts({ requestBody: { contacts, readMask: "names" } });
    ids.push(...(res.data.createdPeople ?? []).map((p) => p.person!.resourceName!));
  }
  return ids;
}

async function graphCreate(api: Client, folder: string, from: number, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i += 20) {
    const requests = Array.from({ length: Math.min(20, from + n - i) }, (_, k) => ({
      id: String(k),
      method: "POST",
      url: `/me/contactFolders/${folder}/contacts`,
      headers: { "Content-Type": "application/json" },
      body: graphContact(fields(i + k)),
    }));
    const res = (await api.api("/$batch").post({ requests })) as { responses: { id: string; status: number; body: { id: string } }[] };
    const byId = new Map(res.responses.map((r) => [r.id, r]));
    for (const q of requests) {
      const r = byId.get(q.id);
      if (!r || r.status >= 300) throw new Error(`seeding: Graph answered ${r?.status}`);
      ids.push(r.body.id);
    }
  }
  return ids;
}

/** Changes at the provider, as a user would make them: deletes the first `del` contacts,
 * creates `create` new ones, edits the notes and job title of `update` others. Deletes go
 * first so a 25,000-contact Google account stays within its limit. */
export async function changeAtProvider(emu: EmulatorHandle, book: AddressBook, change: { create: number; update: number; del: number }): Promise<void> {
  const doomed = book.ids.splice(0, change.del);
  const edited = book.ids.slice(0, change.update);
  const next = book.ids.length + change.del + 1_000_000;
  if (emu.provider === "google") {
    const api = googlePeopleClient(emu.url, { access_token: book.token });
    if (doomed.length > 0) await api.people.batchDeleteContacts({ requestBody: { resourceNames: doomed } });
    book.ids.push(...(await googleCreate(api, book.groupId, next, change.create)));
    for (const id of edited) {
      const now = (await api.people.get({ resourceName: id, personFields: "biographies,organizations" })).data;
      await api.people.updateContact({
        resourceName: id,
        updatePersonFields: "biographies,organizations",
        requestBody: { etag: now.etag, biographies: [{ value: "Edited at Google.", contentType: "TEXT_PLAIN" }], organizations: [{ ...now.organizations?.[0], title: "Director" }] },
      });
    }
  } else {
    const api = graphClient(emu.url, () => book.token);
    for (const id of doomed) await api.api(`/me/contacts/${id}`).delete();
    book.ids.push(...(await graphCreate(api, book.groupId, next, change.create)));
    for (const id of edited) await api.api(`/me/contacts/${id}`).patch({ personalNotes: "Edited in Outlook.", jobTitle: "Director" });
  }
}
