// Test drivers: "the user" editing an address book at the provider, through the official
// clients against the emulators — as they would in Google Contacts or Outlook. One interface,
// so every sync test runs against both providers.
import { people, auth as googleAuth, type people_v1 } from "@googleapis/people";
import { Client } from "@microsoft/microsoft-graph-client";
import type { Contact as GraphContact } from "@microsoft/microsoft-graph-types";
import { createAccount, mintToken, startGoogleEmulator, startMicrosoftEmulator, getStats, injectFault, revokeAccount, expireSyncTokens, type AccountStats } from "@/emulators";

export type SimpleContact = {
  given?: string;
  family?: string;
  email?: string;
  phone?: string;
  notes?: string;
  company?: string;
  title?: string;
  birthday?: string; // YYYY-MM-DD
};

export interface AddressBook {
  readonly provider: "google" | "microsoft";
  readonly email: string;
  readonly groupId: string;
  readonly accessToken: string;
  add(c: SimpleContact, opts?: { inGroup?: boolean }): Promise<string>;
  update(id: string, c: SimpleContact): Promise<void>;
  remove(id: string): Promise<void>;
  /** Takes the contact out of the synced group (Google labels; Graph moves are not modelled). */
  leaveGroup?(id: string): Promise<void>;
  setPhoto(id: string, png: Buffer): Promise<void>;
  /** The group's contacts as simple records, by id. */
  list(): Promise<Map<string, SimpleContact & { etag: string }>>;
  stats(): Promise<AccountStats>;
  writeCalls(): Promise<number>;
  revoke(): Promise<void>;
  fault(kind: "rate_limit" | "server_error", count: number, retryAfterSeconds?: number): Promise<void>;
  expireCursor(): Promise<void>;
}

export interface ProviderEmulator {
  readonly provider: "google" | "microsoft";
  readonly url: string;
  addressBook(email: string, groupName: string): Promise<AddressBook>;
  close(): Promise<void>;
}

/** Endpoints that change the address book (batch sub-requests are counted under their own names). */
const WRITE = /create|update|delete|modify|photo\.value\.put/i;

function countWrites(stats: AccountStats): number {
  let n = 0;
  for (const [endpoint, count] of Object.entries(stats.byEndpoint)) if (WRITE.test(endpoint) && !/contactGroups\.create/.test(endpoint)) n += count;
  return n;
}

export async function startGoogle(): Promise<ProviderEmulator> {
  const emu = await startGoogleEmulator({ port: 0 });
  const url = emu.url;
  return {
    provider: "google",
    url,
    close: () => emu.close(),
    async addressBook(email, groupName) {
      await createAccount(url, email, email.split("@")[0]);
      const token = await mintToken(url, email);
      const oauth = new googleAuth.OAuth2();
      oauth.setCredentials({ access_token: token.access_token });
      const api = people({ version: "v1", auth: oauth, rootUrl: `${url}/` });
      const group =
        groupName === "My Contacts"
          ? "contactGroups/myContacts"
          : (await api.contactGroups.create({ requestBody: { contactGroup: { name: groupName } } })).data.resourceName!;
      const FIELDS = "names,emailAddresses,phoneNumbers,biographies,organizations,birthdays,memberships";
      const toPerson = (c: SimpleContact): people_v1.Schema$Person => ({
        ...(c.given || c.family ? { names: [{ givenName: c.given, familyName: c.family }] } : {}),
        ...(c.email ? { emailAddresses: [{ value: c.email, type: "work" }] } : {}),
        ...(c.phone ? { phoneNumbers: [{ value: c.phone, type: "mobile" }] } : {}),
        ...(c.notes ? { biographies: [{ value: c.notes, contentType: "TEXT_PLAIN" }] } : {}),
        ...(c.company || c.title ? { organizations: [{ name: c.company, title: c.title }] } : {}),
        ...(c.birthday ? { birthdays: [{ date: { year: +c.birthday.slice(0, 4), month: +c.birthday.slice(5, 7), day: +c.birthday.slice(8, 10) } }] } : {}),
      });
      const fromPerson = (p: people_v1.Schema$Person): SimpleContact & { etag: string } => ({
        etag: p.etag ?? "",
        given: p.names?.[0]?.givenName ?? undefined,
        family: p.names?.[0]?.familyName ?? undefined,
        email: p.emailAddresses?.[0]?.value ?? undefined,
        phone: p.phoneNumbers?.[0]?.value ?? undefined,
        notes: p.biographies?.[0]?.value ?? undefined,
        company: p.organizations?.[0]?.name ?? undefined,
        title: p.organizations?.[0]?.title ?? undefined,
      });
      return {
        provider: "google",
        email,
        groupId: group,
        accessToken: token.access_token,
        async add(c, opts = {}) {
          const body = toPerson(c);
          if (opts.inGroup !== false) body.memberships = [{ contactGroupMembership: { contactGroupResourceName: group } }];
          return (await api.people.createContact({ requestBody: body, personFields: FIELDS })).data.resourceName!;
        },
        async update(id, c) {
          const current = (await api.people.get({ resourceName: id, personFields: FIELDS })).data;
          const body = toPerson(c);
          const fields = Object.keys(body);
          await api.people.updateContact({
            resourceName: id,
            updatePersonFields: fields.join(","),
            requestBody: { ...body, etag: current.etag, resourceName: id },
          });
        },
        async remove(id) {
          await api.people.deleteContact({ resourceName: id });
        },
        async leaveGroup(id) {
          await api.contactGroups.members.modify({ resourceName: group, requestBody: { resourceNamesToRemove: [id] } });
        },
        async setPhoto(id, png) {
          await api.people.updateContactPhoto({ resourceName: id, requestBody: { photoBytes: png.toString("base64") } });
        },
        async list() {
          const out = new Map<string, SimpleContact & { etag: string }>();
          let pageToken: string | undefined;
          do {
            const data = (await api.people.connections.list({ resourceName: "people/me", personFields: FIELDS, pageSize: 1000, pageToken })).data;
            for (const p of data.connections ?? []) {
              if (p.memberships?.some((m) => m.contactGroupMembership?.contactGroupResourceName === group)) out.set(p.resourceName!, fromPerson(p));
            }
            pageToken = data.nextPageToken ?? undefined;
          } while (pageToken);
          return out;
        },
        stats: () => getStats(url, email),
        writeCalls: async () => countWrites(await getStats(url, email)),
        revoke: async () => void (await revokeAccount(url, email, "invalidate")),
        fault: async (kind, count, retryAfterSeconds) => void (await injectFault(url, { kind, count, email, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })),
        expireCursor: async () => void (await expireSyncTokens(url)),
      };
    },
  };
}

export async function startMicrosoft(): Promise<ProviderEmulator> {
  const emu = await startMicrosoftEmulator({ port: 0 });
  const url = emu.url;
  return {
    provider: "microsoft",
    url,
    close: () => emu.close(),
    async addressBook(email, groupName) {
      await createAccount(url, email, email.split("@")[0]);
      const token = await mintToken(url, email);
      const client = Client.init({
        authProvider: (done) => done(null, token.access_token),
        baseUrl: `${url}/`,
        defaultVersion: "v1.0",
        customHosts: new Set([new URL(url).hostname]),
      });
      const folder = (await client.api("/me/contactFolders").post({ displayName: groupName })) as { id: string };
      const toGraph = (c: SimpleContact): GraphContact => ({
        ...(c.given !== undefined ? { givenName: c.given } : {}),
        ...(c.family !== undefined ? { surname: c.family } : {}),
        ...(c.email ? { emailAddresses: [{ address: c.email, name: c.email }] } : {}),
        ...(c.phone ? { mobilePhone: c.phone } : {}),
        ...(c.notes ? { personalNotes: c.notes } : {}),
        ...(c.company ? { companyName: c.company } : {}),
        ...(c.title ? { jobTitle: c.title } : {}),
        ...(c.birthday ? { birthday: `${c.birthday}T00:00:00Z` } : {}),
      });
      const fromGraph = (g: GraphContact): SimpleContact & { etag: string } => ({
        etag: g.changeKey ?? "",
        given: g.givenName ?? undefined,
        family: g.surname ?? undefined,
        email: g.emailAddresses?.[0]?.address ?? undefined,
        phone: g.mobilePhone ?? g.businessPhones?.[0] ?? g.homePhones?.[0] ?? undefined,
        notes: g.personalNotes ?? undefined,
        company: g.companyName ?? undefined,
        title: g.jobTitle ?? undefined,
      });
      return {
        provider: "microsoft",
        email,
        groupId: folder.id,
        accessToken: token.access_token,
        async add(c, opts = {}) {
          const path = opts.inGroup === false ? "/me/contacts" : `/me/contactFolders/${folder.id}/contacts`;
          return ((await client.api(path).post(toGraph(c))) as { id: string }).id;
        },
        async update(id, c) {
          await client.api(`/me/contacts/${id}`).patch(toGraph(c));
        },
        async remove(id) {
          await client.api(`/me/contacts/${id}`).delete();
        },
        async setPhoto(id, png) {
          await client.api(`/me/contacts/${id}/photo/$value`).header("Content-Type", "image/png").put(png);
        },
        async list() {
          const out = new Map<string, SimpleContact & { etag: string }>();
          let next: string | undefined = `/me/contactFolders/${folder.id}/contacts?$top=1000`;
          while (next) {
            const page = (await client.api(next).get()) as { value: GraphContact[]; "@odata.nextLink"?: string };
            for (const g of page.value) out.set(g.id!, fromGraph(g));
            next = page["@odata.nextLink"];
          }
          return out;
        },
        stats: () => getStats(url, email),
        writeCalls: async () => countWrites(await getStats(url, email)),
        revoke: async () => void (await revokeAccount(url, email, "invalidate")),
        fault: async (kind, count, retryAfterSeconds) => void (await injectFault(url, { kind, count, email, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })),
        expireCursor: async () => void (await expireSyncTokens(url)),
      };
    },
  };
}

/** A 1×1 PNG. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
