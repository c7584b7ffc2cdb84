// Microsoft in the test kit (tests/kit/provider-kits.ts): its emulator for a test file, and an
// address book changed as Outlook would change it, through the official Graph client.
import type { Contact as GraphContact, PhysicalAddress } from "@microsoft/microsoft-graph-types";
import { startMicrosoftEmulator } from "@/emulators";
import { graphClient } from "@/emulators/clients";
import type { BookContact, ListedContact, PostalParts, ProviderBook } from "@/tests/kit/address-book";
import { emulatorKit } from "@/tests/kit/provider-kits";

const BATCH = 20;

const address = (a: PostalParts): PhysicalAddress => ({ street: a.street, city: a.city, state: a.region, postalCode: a.postalCode, countryOrRegion: "United States" });

/** The properties a contact's given values set (a PATCH leaves the others as they are). */
function toGraph(c: BookContact): GraphContact {
  return {
    ...(c.given !== undefined ? { givenName: c.given } : {}),
    ...(c.family !== undefined ? { surname: c.family } : {}),
    ...(c.email || c.email2 ? { emailAddresses: [c.email, c.email2].filter((e): e is string => !!e).map((e) => ({ address: e, name: e })) } : {}),
    ...(c.phone ? { mobilePhone: c.phone } : {}),
    ...(c.phone2 ? { businessPhones: [c.phone2] } : {}),
    ...(c.home ? { homeAddress: address(c.home) } : {}),
    ...(c.work ? { businessAddress: address(c.work) } : {}),
    ...(c.im ? { imAddresses: [c.im] } : {}),
    ...(c.notes ? { personalNotes: c.notes } : {}),
    ...(c.company !== undefined ? { companyName: c.company } : {}),
    ...(c.title !== undefined ? { jobTitle: c.title } : {}),
    ...(c.birthday ? { birthday: `${c.birthday}T00:00:00Z` } : {}),
  };
}

const fromGraph = (g: GraphContact): ListedContact => ({
  etag: g.changeKey ?? "",
  given: g.givenName ?? undefined,
  family: g.surname ?? undefined,
  email: g.emailAddresses?.[0]?.address ?? undefined,
  phone: g.mobilePhone ?? g.businessPhones?.[0] ?? g.homePhones?.[0] ?? undefined,
  notes: g.personalNotes ?? undefined,
  company: g.companyName ?? undefined,
  title: g.jobTitle ?? undefined,
});

async function openMicrosoftBook({ url, accessToken, group, create }: { url: string; accessToken: string; group: string; create: boolean }): Promise<ProviderBook> {
  const client = graphClient(url, () => accessToken);
  const folders = create ? [] : ((await client.api("/me/contactFolders").get()) as { value: { id: string; displayName: string }[] }).value;
  const groupId = create
    ? ((await client.api("/me/contactFolders").post({ displayName: group })) as { id: string }).id
    : folders.find((f) => f.displayName === group)?.id;
  if (!groupId) throw new Error(`No contact folder "${group}"`);
  const folderContacts = `/me/contactFolders/${groupId}/contacts`;

  return {
    groupId,
    async add(c, opts = {}) {
      return ((await client.api(opts.inGroup === false ? "/me/contacts" : folderContacts).post(toGraph(c))) as { id: string }).id;
    },
    async addMany(contacts) {
      const ids: string[] = [];
      for (let i = 0; i < contacts.length; i += BATCH) {
        const requests = contacts.slice(i, i + BATCH).map((c, k) => ({ id: String(k), method: "POST", url: folderContacts, headers: { "Content-Type": "application/json" }, body: toGraph(c) }));
        const res = (await client.api("/$batch").post({ requests })) as { responses: { id: string; status: number; body: { id: string } }[] };
        const byId = new Map(res.responses.map((r) => [r.id, r]));
        for (const q of requests) {
          const r = byId.get(q.id);
          if (!r || r.status >= 300) throw new Error(`adding contacts: Graph answered ${r?.status}`);
          ids.push(r.body.id);
        }
      }
      return ids;
    },
    async update(id, c) {
      await client.api(`/me/contacts/${id}`).patch(toGraph(c));
    },
    async remove(id) {
      await client.api(`/me/contacts/${id}`).delete();
    },
    async removeMany(ids) {
      for (const id of ids) await client.api(`/me/contacts/${id}`).delete();
    },
    async setPhoto(id, png) {
      await client.api(`/me/contacts/${id}/photo/$value`).header("Content-Type", "image/png").put(png);
    },
    async list() {
      const out = new Map<string, ListedContact>();
      let next: string | undefined = `${folderContacts}?$top=1000`;
      while (next) {
        const page = (await client.api(next).get()) as { value: GraphContact[]; "@odata.nextLink"?: string };
        for (const g of page.value) out.set(g.id!, fromGraph(g));
        next = page["@odata.nextLink"];
      }
      return out;
    },
  };
}

export const testKit = emulatorKit("microsoft", () => startMicrosoftEmulator({ port: 0 }), openMicrosoftBook);
