// The provider side of the e2e tests: the demo emulators the app started, read and edited
// through the official clients as the account's owner would in Google Contacts or Outlook.
import { mintToken } from "@/emulators";
import { googlePeopleClient, graphClient } from "@/emulators/clients";

const PORT = Number(process.env.E2E_PORT ?? 3210);
export const GOOGLE_URL = `http://127.0.0.1:${PORT + 1}`;
export const MICROSOFT_URL = `https://localhost:${PORT + 2}`;

export type RemoteContact = { id: string; given: string; family: string; title: string | null };

export async function googleBook(email: string) {
  const token = await mintToken(GOOGLE_URL, email);
  const api = googlePeopleClient(GOOGLE_URL, { access_token: token.access_token });
  const groups = (await api.contactGroups.list({ pageSize: 1000 })).data.contactGroups ?? [];
  const groupId = (name: string) => groups.find((g) => g.name === name)?.resourceName;
  return {
    async list(groupName: string): Promise<RemoteContact[]> {
      const group = groupId(groupName);
      const out: RemoteContact[] = [];
      let pageToken: string | undefined;
      do {
        const data = (await api.people.connections.list({ resourceName: "people/me", personFields: "names,organizations,memberships", pageSize: 1000, pageToken })).data;
        for (const p of data.connections ?? []) {
          if (!p.memberships?.some((m) => m.contactGroupMembership?.contactGroupResourceName === group)) continue;
          out.push({ id: p.resourceName!, given: p.names?.[0]?.givenName ?? "", family: p.names?.[0]?.familyName ?? "", title: p.organizations?.[0]?.title ?? null });
        }
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      return out;
    },
    async setFamilyName(id: string, family: string): Promise<void> {
      const current = (await api.people.get({ resourceName: id, personFields: "names" })).data;
      await api.people.updateContact({
        resourceName: id,
        updatePersonFields: "names",
        requestBody: { etag: current.etag, names: [{ ...current.names?.[0], familyName: family, unstructuredName: undefined, displayName: undefined }] },
      });
    },
  };
}

export async function outlookBook(email: string) {
  const token = await mintToken(MICROSOFT_URL, email);
  const client = graphClient(MICROSOFT_URL, () => token.access_token);
  const folders = ((await client.api("/me/contactFolders").get()) as { value: { id: string; displayName: string }[] }).value;
  return {
    async list(folderName: string): Promise<RemoteContact[]> {
      const folder = folders.find((f) => f.displayName === folderName)!;
      const out: RemoteContact[] = [];
      let next: string | undefined = `/me/contactFolders/${folder.id}/contacts?$top=1000`;
      while (next) {
        const page = (await client.api(next).get()) as { value: { id: string; givenName?: string; surname?: string; jobTitle?: string }[]; "@odata.nextLink"?: string };
        for (const c of page.value) out.push({ id: c.id, given: c.givenName ?? "", family: c.surname ?? "", title: c.jobTitle ?? null });
        next = page["@odata.nextLink"];
      }
      return out;
    },
  };
}
