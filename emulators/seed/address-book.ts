/**
 * Provider-neutral demo contacts: deterministic, realistic, and covering
 * every synced field (name, e-mails, phones, postal address, IM, company,
 * job title, notes, birthday, photo) plus the edge cases sync code trips on.
 * Each provider's seeder maps these onto its own resource shapes.
 */
import { COMPANIES, DEPARTMENTS, IM_PROTOCOLS, JOB_TITLES, LATIN_NAMES, NON_LATIN_POOLS, NOTES, PLACES, type NamePool, type Place } from "./data";
import { SeededRandom } from "./random";

export type EmailKind = "home" | "work" | "other";
export type PhoneKind = "mobile" | "home" | "work" | "main" | "other";

export interface SeedContact {
  prefix?: string;
  givenName?: string;
  middleName?: string;
  familyName?: string;
  suffix?: string;
  nickname?: string;
  emails: { address: string; kind: EmailKind }[];
  phones: { number: string; kind: PhoneKind }[];
  address?: { street: string; city: string; region: string; postalCode: string; country: string; countryCode: string; kind: "home" | "work" };
  im?: { username: string; protocol: string };
  company?: string;
  jobTitle?: string;
  department?: string;
  notes?: string;
  birthday?: { year?: number; month: number; day: number };
  website?: string;
  /** Seed for a generated portrait; absent = no photo. */
  photoSeed?: number;
  /** Group (Google label / Outlook folder) names; empty = only "My Contacts" / the default folder. */
  groups: string[];
  starred?: boolean;
}

/** Hand-written contacts that exercise the awkward cases. */
export function edgeCaseContacts(): SeedContact[] {
  return [
    { emails: [{ address: "orders@acme-supplies.example", kind: "work" }], phones: [], groups: ["Clients"] },
    { emails: [], phones: [{ number: "+1 415 555 0142", kind: "mobile" }], groups: [] },
    { givenName: "太郎", familyName: "山田", emails: [{ address: "taro.yamada@sakura.example", kind: "work" }], phones: [{ number: "+81 3 3213 1111", kind: "work" }], company: "株式会社サクラ", jobTitle: "部長", groups: ["Clients"] },
    { givenName: "Дмитрий", familyName: "Иванов", emails: [{ address: "d.ivanov@mail.example", kind: "home" }], phones: [], birthday: { month: 11, day: 7 }, groups: ["Friends"] },
    { givenName: "Ελένη", familyName: "Παπαδοπούλου", emails: [{ address: "eleni@example.gr", kind: "home" }], phones: [{ number: "+30 21 0555 1234", kind: "mobile" }], groups: ["Friends"] },
    { givenName: "محمد", familyName: "الأحمد", emails: [{ address: "m.alahmad@example.ae", kind: "work" }], phones: [], company: "Globex", groups: ["Clients"] },
    { givenName: "प्रिया", familyName: "शर्मा", emails: [], phones: [{ number: "+91 98765 43210", kind: "mobile" }], groups: ["Friends"] },
    { givenName: "민준", familyName: "김", emails: [{ address: "minjun.kim@example.kr", kind: "home" }], phones: [], groups: [] },
    { givenName: "Zoë", familyName: "Ångström-Øberg", emails: [{ address: "zoe@angstrom.example", kind: "home" }], phones: [], groups: ["Friends"] },
    { givenName: "Grandma", nickname: "Nana 👵", emails: [], phones: [{ number: "+1 (312) 555-0199", kind: "home" }], birthday: { month: 2, day: 29 }, groups: ["Family"], starred: true },
    { givenName: "Mum", emails: [{ address: "mum@family.example", kind: "home" }], phones: [{ number: "07700 900123", kind: "mobile" }], birthday: { month: 5, day: 14 }, groups: ["Family"], starred: true },
    { prefix: "Dr.", givenName: "Martin", middleName: "Luther", familyName: "King", suffix: "Jr.", emails: [{ address: "mlk@example.org", kind: "work" }], phones: [], birthday: { year: 1929, month: 1, day: 15 }, groups: ["Clients"] },
    { givenName: "Patrick", familyName: "O'Brien", emails: [{ address: "pat.obrien@example.ie", kind: "home" }], phones: [], groups: ["Friends"] },
    {
      givenName: "Morgan",
      familyName: "Many-Emails",
      emails: [
        { address: "morgan@work.example", kind: "work" },
        { address: "morgan@home.example", kind: "home" },
        { address: "morgan.alt@home.example", kind: "home" },
        { address: "morgan@old-job.example", kind: "other" },
        { address: "morgan.newsletters@example.com", kind: "other" },
      ],
      phones: [
        { number: "+1 212 555 0101", kind: "work" },
        { number: "+1 212 555 0102", kind: "work" },
        { number: "+1 212 555 0103", kind: "main" },
        { number: "+1 646 555 0104", kind: "mobile" },
        { number: "+1 718 555 0105", kind: "home" },
        { number: "+1 718 555 0106", kind: "home" },
        { number: "+1 718 555 0107", kind: "home" },
      ],
      groups: ["Clients", "Friends"],
    },
    { company: "Blue Harbor Logistics", emails: [{ address: "dispatch@blueharbor.example", kind: "work" }], phones: [{ number: "+1 312 555 0177", kind: "main" }], groups: ["Clients"] },
    { givenName: "John", familyName: "Smith", emails: [{ address: "john.smith@acme.example", kind: "work" }], phones: [], company: "Acme Corporation", groups: ["Clients"] },
    { givenName: "John", familyName: "Smith", emails: [{ address: "jsmith1987@example.com", kind: "home" }], phones: [], groups: ["Friends"] },
    {
      givenName: "Avery",
      familyName: "Longnotes",
      emails: [{ address: "avery@example.com", kind: "home" }],
      phones: [],
      notes: `${"Line one of a long note.\n".repeat(40)}Last line — with “quotes”, <angle brackets> & ampersands.`,
      groups: ["Clients"],
    },
    { givenName: "Birthday", familyName: "Only", emails: [], phones: [], birthday: { month: 12, day: 25 }, groups: [] },
    { givenName: "  Padded  ", familyName: " Spaces ", emails: [{ address: " padded@example.com ", kind: "home" }], phones: [], groups: [] },
  ];
}

function pickName(rng: SeededRandom): { pool: NamePool; given: string; family: string } {
  const pool = rng.chance(0.12) ? rng.pick(NON_LATIN_POOLS) : LATIN_NAMES;
  return { pool, given: rng.pick(pool.given), family: rng.pick(pool.family) };
}

function asciiSlug(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
}

function phoneIn(place: Place, rng: SeededRandom): string {
  return `${place.phonePrefix}${String(rng.int(0, 9999)).padStart(4, "0")}`;
}

function randomContact(rng: SeededRandom, index: number, groupNames: readonly string[]): SeedContact {
  const { given, family } = pickName(rng);
  const slugGiven = asciiSlug(given) || `contact${index}`;
  const slugFamily = asciiSlug(family) || String(index);
  const place = rng.pick(PLACES);
  const hasCompany = rng.chance(0.65);
  const company = hasCompany ? rng.pick(COMPANIES) : undefined;
  const c: SeedContact = { givenName: given, familyName: family, emails: [], phones: [], groups: [] };
  if (company) c.emails.push({ address: `${slugGiven}.${slugFamily}@${company.domain}`, kind: "work" });
  if (!company || rng.chance(0.4)) c.emails.push({ address: `${slugGiven}${rng.int(1, 99)}@${rng.pick(["gmail.com", "outlook.com", "example.com", "proton.example"])}`, kind: "home" });
  if (rng.chance(0.8)) c.phones.push({ number: phoneIn(place, rng), kind: "mobile" });
  if (rng.chance(0.3)) c.phones.push({ number: phoneIn(place, rng), kind: company ? "work" : "home" });
  if (company) {
    c.company = company.name;
    if (rng.chance(0.85)) c.jobTitle = rng.pick(JOB_TITLES);
    if (rng.chance(0.4)) c.department = rng.pick(DEPARTMENTS);
    if (rng.chance(0.3)) c.website = `https://www.${company.domain}`;
  }
  if (rng.chance(0.4)) {
    c.address = { street: place.street, city: place.city, region: place.region, postalCode: place.postalCode, country: place.country, countryCode: place.countryCode, kind: company && rng.chance(0.6) ? "work" : "home" };
  }
  if (rng.chance(0.15)) c.im = { username: `${slugGiven}.${slugFamily}`, protocol: rng.pick(IM_PROTOCOLS) };
  if (rng.chance(0.25)) c.notes = rng.pick(NOTES);
  if (rng.chance(0.35)) {
    const month = rng.int(1, 12);
    const day = rng.int(1, 28);
    c.birthday = rng.chance(0.25) ? { month, day } : { year: rng.int(1950, 2005), month, day };
  }
  if (rng.chance(0.08)) c.nickname = given.slice(0, Math.max(2, Math.min(4, given.length)));
  if (rng.chance(0.15)) c.photoSeed = index * 37 + 11;
  const group = groupNames.length > 0 && rng.chance(0.85) ? rng.pick(groupNames) : undefined;
  if (group) c.groups.push(group);
  if (groupNames.length > 1 && rng.chance(0.07)) {
    const second = rng.pick(groupNames);
    if (!c.groups.includes(second)) c.groups.push(second);
  }
  if (rng.chance(0.05)) c.starred = true;
  return c;
}

export interface AddressBookSpec {
  seed: number;
  size: number;
  groups: readonly string[];
  /** Include the hand-written edge cases (the first account of each provider does). */
  edgeCases: boolean;
}

export function buildAddressBook(spec: AddressBookSpec): SeedContact[] {
  const rng = new SeededRandom(spec.seed);
  const edge = spec.edgeCases ? edgeCaseContacts().map((c) => ({ ...c, groups: c.groups.filter((g) => spec.groups.includes(g)) })) : [];
  const out: SeedContact[] = [...edge];
  for (let i = out.length; i < spec.size; i++) out.push(randomContact(rng, i, spec.groups));
  // A few edge-case contacts also get photos so photo sync is visible in the demo.
  if (out[2]) out[2].photoSeed = 5;
  if (out[9]) out[9].photoSeed = 7;
  return out;
}
