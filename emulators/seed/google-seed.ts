/** Loads the demo address books into a Google emulator, as Person resources in contact groups (labels). */
import { portraitPhoto } from "../shared/images";
import type { GoogleAccount } from "../google/account";
import { normalizePerson } from "../google/person-input";
import type { GoogleState } from "../google/state";
import { buildAddressBook, type SeedContact } from "./address-book";
import { DEMO_ACCOUNTS } from "./demo-accounts";

export function seedContactToPerson(c: SeedContact, groupIds: ReadonlyMap<string, string>): Record<string, unknown> {
  const person: Record<string, unknown> = {};
  const name = { honorificPrefix: c.prefix, givenName: c.givenName, middleName: c.middleName, familyName: c.familyName, honorificSuffix: c.suffix };
  if (Object.values(name).some((v) => v)) person["names"] = [name];
  if (c.nickname) person["nicknames"] = [{ value: c.nickname }];
  if (c.emails.length > 0) person["emailAddresses"] = c.emails.map((e) => ({ value: e.address, type: e.kind }));
  if (c.phones.length > 0) person["phoneNumbers"] = c.phones.map((p) => ({ value: p.number, type: p.kind }));
  if (c.address) {
    const a = c.address;
    person["addresses"] = [{ streetAddress: a.street, city: a.city, region: a.region, postalCode: a.postalCode, country: a.country, countryCode: a.countryCode, type: a.kind }];
  }
  if (c.im) person["imClients"] = [{ username: c.im.username, protocol: c.im.protocol, type: "work" }];
  if (c.company || c.jobTitle) person["organizations"] = [{ name: c.company, title: c.jobTitle, department: c.department, type: "work", current: true }];
  if (c.notes) person["biographies"] = [{ value: c.notes, contentType: "TEXT_PLAIN" }];
  if (c.birthday) person["birthdays"] = [{ date: c.birthday }];
  if (c.website) person["urls"] = [{ value: c.website, type: "work" }];
  const memberships = c.groups.map((g) => groupIds.get(g)).filter((id): id is string => id !== undefined);
  if (c.starred) memberships.push("contactGroups/starred");
  if (memberships.length > 0) person["memberships"] = memberships.map((rn) => ({ contactGroupMembership: { contactGroupResourceName: rn } }));
  return person;
}

export function seedGoogleAccount(account: GoogleAccount, contacts: readonly SeedContact[], groups: readonly string[]): void {
  const groupIds = new Map<string, string>();
  for (const name of groups) groupIds.set(name, (account.userGroupByName(name) ?? account.createGroup(name, [])).resourceName);
  for (const c of contacts) {
    const person = account.createPerson(normalizePerson(seedContactToPerson(c, groupIds), "person"));
    if (c.photoSeed !== undefined) account.setPhoto(person, portraitPhoto(c.photoSeed), "image/png");
  }
}

export function seedGoogleDemo(state: GoogleState): void {
  for (const demo of DEMO_ACCOUNTS) {
    if (demo.provider !== "google") continue;
    const { account, created } = state.ensureAccount(demo.email, demo.name);
    if (!created) continue;
    seedGoogleAccount(account, buildAddressBook({ seed: demo.seed, size: demo.contacts, groups: demo.groups, edgeCases: demo.edgeCases }), demo.groups);
  }
}
