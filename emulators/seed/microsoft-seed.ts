/**
 * Loads the demo address books into a Microsoft emulator: each contact goes
 * into the folder of its first group (or the default Contacts folder), with
 * Outlook's caps applied (3 e-mails, 2 business and 2 home phones).
 */
import { portraitPhoto } from "../shared/images";
import type { ContactPatch } from "../microsoft/contact-model";
import type { Mailbox } from "../microsoft/mailbox";
import type { MicrosoftState } from "../microsoft/state";
import { buildAddressBook, type SeedContact } from "./address-book";
import { DEMO_ACCOUNTS } from "./demo-accounts";

/**
 * Outlook has no year-less birthday; Exchange stores year 1604 for "no year"
 * (the ActiveSync/vCard convention — whether Graph surfaces exactly this is
 * unconfirmed), so sync code must treat 1604 as "year unknown".
 */
export const NO_YEAR_BIRTHDAY_YEAR = 1604;

export function seedContactToGraph(c: SeedContact): ContactPatch {
  const patch: ContactPatch = {};
  if (c.prefix) patch.title = c.prefix;
  if (c.givenName) patch.givenName = c.givenName;
  if (c.middleName) patch.middleName = c.middleName;
  if (c.familyName) patch.surname = c.familyName;
  if (c.suffix) patch.generation = c.suffix;
  if (c.nickname) patch.nickName = c.nickname;
  if (c.emails.length > 0) patch.emailAddresses = c.emails.slice(0, 3).map((e) => ({ name: [c.givenName, c.familyName].filter(Boolean).join(" ") || e.address, address: e.address }));
  const mobile = c.phones.find((p) => p.kind === "mobile");
  if (mobile) patch.mobilePhone = mobile.number;
  const business = c.phones.filter((p) => p.kind === "work" || p.kind === "main").map((p) => p.number);
  const home = c.phones.filter((p) => p.kind === "home" || p.kind === "other").map((p) => p.number);
  if (business.length > 0) patch.businessPhones = business.slice(0, 2);
  if (home.length > 0) patch.homePhones = home.slice(0, 2);
  if (c.address) {
    const a = { street: c.address.street, city: c.address.city, state: c.address.region, postalCode: c.address.postalCode, countryOrRegion: c.address.country };
    if (c.address.kind === "work") patch.businessAddress = a;
    else patch.homeAddress = a;
  }
  if (c.im) patch.imAddresses = [c.im.protocol === "jabber" ? `xmpp:${c.im.username}` : `sip:${c.im.username}@example.com`];
  if (c.company) patch.companyName = c.company;
  if (c.jobTitle) patch.jobTitle = c.jobTitle;
  if (c.department) patch.department = c.department;
  if (c.notes) patch.personalNotes = c.notes;
  if (c.website) patch.businessHomePage = c.website;
  if (c.birthday) {
    const year = c.birthday.year ?? NO_YEAR_BIRTHDAY_YEAR;
    patch.birthday = `${String(year).padStart(4, "0")}-${String(c.birthday.month).padStart(2, "0")}-${String(c.birthday.day).padStart(2, "0")}T00:00:00Z`;
  }
  if (c.starred) patch.categories = ["VIP"];
  return patch;
}

export function seedMailbox(mailbox: Mailbox, contacts: readonly SeedContact[], folders: readonly string[]): void {
  const folderIds = new Map<string, string>();
  for (const name of folders) folderIds.set(name, (mailbox.folderByName(mailbox.defaultFolder.id, name) ?? mailbox.createFolder(name, mailbox.defaultFolder.id)).id);
  for (const c of contacts) {
    const first = c.groups[0];
    const folderId = (first !== undefined ? folderIds.get(first) : undefined) ?? mailbox.defaultFolder.id;
    const contact = mailbox.createContact(folderId, seedContactToGraph(c));
    if (c.photoSeed !== undefined) mailbox.setPhoto(contact, { bytes: portraitPhoto(c.photoSeed), contentType: "image/png", width: 96, height: 96 });
  }
}

export function seedMicrosoftDemo(state: MicrosoftState): void {
  for (const demo of DEMO_ACCOUNTS) {
    if (demo.provider !== "microsoft") continue;
    const { mailbox, created } = state.ensureMailbox(demo.email, demo.name);
    if (!created) continue;
    seedMailbox(mailbox, buildAddressBook({ seed: demo.seed, size: demo.contacts, groups: demo.groups, edgeCases: demo.edgeCases }), demo.groups);
  }
}
