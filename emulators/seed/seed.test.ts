import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { people_v1 } from "@googleapis/people";
import { googlePeopleClient, graphClient } from "../clients";
import { startGoogleEmulator, type GoogleEmulator } from "../google/server";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "../microsoft/server";
import { mintToken } from "../shared/admin-client";
import { DEMO_ACCOUNTS } from "./demo-accounts";
import { NO_YEAR_BIRTHDAY_YEAR } from "./microsoft-seed";

let google: GoogleEmulator;
let microsoft: MicrosoftEmulator;
beforeAll(async () => {
  [google, microsoft] = await Promise.all([startGoogleEmulator({ seed: true }), startMicrosoftEmulator({ seed: true })]);
});
afterAll(async () => {
  await Promise.all([google.close(), microsoft.close()]);
});

const googleDemo = DEMO_ACCOUNTS.find((a) => a.provider === "google" && a.edgeCases);
const microsoftDemo = DEMO_ACCOUNTS.find((a) => a.provider === "microsoft" && a.edgeCases);

describe("demo seed data", () => {
  it("gives the Google demo account groups and contacts using every synced field and the edge cases", async () => {
    const token = await mintToken(google.url, googleDemo?.email ?? "");
    const people = googlePeopleClient(google.url, { access_token: token.access_token });
    const res = await people.people.connections.list({ resourceName: "people/me", personFields: "names,emailAddresses,phoneNumbers,addresses,imClients,organizations,biographies,birthdays,photos,memberships", pageSize: 1000 });
    const all = res.data.connections ?? [];
    expect(all).toHaveLength(googleDemo?.contacts ?? 0);
    const has = (f: (p: people_v1.Schema$Person) => unknown): boolean => all.some((p) => Boolean(f(p)));
    expect(has((p) => p.addresses?.length)).toBe(true);
    expect(has((p) => p.imClients?.length)).toBe(true);
    expect(has((p) => p.organizations?.[0]?.title)).toBe(true);
    expect(has((p) => p.biographies?.length)).toBe(true);
    expect(has((p) => p.birthdays?.[0]?.date?.year)).toBe(true);
    expect(has((p) => p.birthdays?.length && !p.birthdays[0]?.date?.year)).toBe(true);
    expect(has((p) => p.photos?.some((ph) => !ph.default))).toBe(true);
    expect(has((p) => !p.names && p.emailAddresses?.length)).toBe(true);
    expect(has((p) => !p.names && !p.emailAddresses && p.phoneNumbers?.length)).toBe(true);
    expect(has((p) => /[\u3040-\u9fff]/.test(p.names?.[0]?.displayName ?? ""))).toBe(true);
    expect(has((p) => /[\u0400-\u04ff]/.test(p.names?.[0]?.displayName ?? ""))).toBe(true);
    const groups = await people.contactGroups.list({});
    const names = groups.data.contactGroups?.filter((g) => g.groupType === "USER_CONTACT_GROUP").map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(["Clients", "Family", "Friends"]));
  });

  it("gives the Microsoft demo mailbox folders and contacts within Outlook's limits", async () => {
    const token = await mintToken(microsoft.url, microsoftDemo?.email ?? "");
    const client = graphClient(microsoft, () => token.access_token);
    const folders = await client.api("/me/contactFolders").get();
    expect(folders.value.map((f: { displayName: string }) => f.displayName)).toEqual(["Clients", "Family", "Friends"]);
    let total = (await client.api("/me/contacts").top(1000).get()).value.length;
    const contacts: Record<string, unknown>[] = [];
    for (const f of folders.value as { id: string }[]) {
      const page = await client.api(`/me/contactFolders/${f.id}/contacts`).top(1000).get();
      total += page.value.length;
      contacts.push(...page.value);
    }
    expect(total).toBe(microsoftDemo?.contacts);
    expect(contacts.some((c) => String(c["birthday"] ?? "").startsWith(String(NO_YEAR_BIRTHDAY_YEAR)))).toBe(true);
    expect(contacts.every((c) => (c["emailAddresses"] as unknown[]).length <= 3)).toBe(true);
    expect(contacts.some((c) => c["personalNotes"] !== "")).toBe(true);
  });
});
