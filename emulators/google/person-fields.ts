/**
 * The Person field catalogue: which mask paths exist, which are writable,
 * which are singletons for contact sources, what each item may contain, and
 * the output-only values Google computes (formattedType and friends).
 */
import { invalidMaskPath, maskRequired } from "./errors";

export const PERSON_FIELDS = [
  "addresses",
  "ageRanges",
  "biographies",
  "birthdays",
  "calendarUrls",
  "clientData",
  "coverPhotos",
  "emailAddresses",
  "events",
  "externalIds",
  "genders",
  "imClients",
  "interests",
  "locales",
  "locations",
  "memberships",
  "metadata",
  "miscKeywords",
  "names",
  "nicknames",
  "occupations",
  "organizations",
  "phoneNumbers",
  "photos",
  "relations",
  "sipAddresses",
  "skills",
  "urls",
  "userDefined",
] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

export const WRITABLE_FIELDS = [
  "addresses",
  "biographies",
  "birthdays",
  "calendarUrls",
  "clientData",
  "emailAddresses",
  "events",
  "externalIds",
  "genders",
  "imClients",
  "interests",
  "locales",
  "locations",
  "memberships",
  "miscKeywords",
  "names",
  "nicknames",
  "occupations",
  "organizations",
  "phoneNumbers",
  "relations",
  "sipAddresses",
  "urls",
  "userDefined",
] as const satisfies readonly PersonField[];
export type WritableField = (typeof WRITABLE_FIELDS)[number];

const FIELD_SET = new Set<string>(PERSON_FIELDS);
const WRITABLE_SET = new Set<string>(WRITABLE_FIELDS);
export const FIELD_INDEX = new Map<PersonField, number>(PERSON_FIELDS.map((f, i) => [f, i]));

export function isPersonField(s: string): s is PersonField {
  return FIELD_SET.has(s);
}

export function isWritableField(s: string): s is WritableField {
  return WRITABLE_SET.has(s);
}

/** "This field is a singleton for contact sources." */
export const SINGLETON_FIELDS: readonly WritableField[] = ["names", "biographies", "birthdays", "genders"];

export type ValueKind = "string" | "bool" | "int" | "date" | "membership" | "domainMembership";

/** Keys each item of a field may carry; `metadata` is accepted everywhere. */
export const ITEM_KEYS: Record<PersonField, Record<string, ValueKind>> = {
  addresses: { formattedValue: "string", type: "string", formattedType: "string", poBox: "string", streetAddress: "string", extendedAddress: "string", city: "string", region: "string", postalCode: "string", country: "string", countryCode: "string" },
  ageRanges: { ageRange: "string" },
  biographies: { value: "string", contentType: "string" },
  birthdays: { date: "date", text: "string" },
  calendarUrls: { url: "string", type: "string", formattedType: "string" },
  clientData: { key: "string", value: "string" },
  coverPhotos: { url: "string", default: "bool" },
  emailAddresses: { value: "string", type: "string", formattedType: "string", displayName: "string" },
  events: { date: "date", type: "string", formattedType: "string" },
  externalIds: { value: "string", type: "string", formattedType: "string" },
  genders: { value: "string", formattedValue: "string", addressMeAs: "string" },
  imClients: { username: "string", type: "string", formattedType: "string", protocol: "string", formattedProtocol: "string" },
  interests: { value: "string" },
  locales: { value: "string" },
  locations: { value: "string", type: "string", current: "bool", buildingId: "string", floor: "string", floorSection: "string", deskCode: "string" },
  memberships: { contactGroupMembership: "membership", domainMembership: "domainMembership" },
  metadata: {},
  miscKeywords: { value: "string", type: "string", formattedType: "string" },
  names: {
    displayName: "string",
    displayNameLastFirst: "string",
    unstructuredName: "string",
    familyName: "string",
    givenName: "string",
    middleName: "string",
    honorificPrefix: "string",
    honorificSuffix: "string",
    phoneticFullName: "string",
    phoneticFamilyName: "string",
    phoneticGivenName: "string",
    phoneticMiddleName: "string",
    phoneticHonorificPrefix: "string",
    phoneticHonorificSuffix: "string",
  },
  nicknames: { value: "string", type: "string" },
  occupations: { value: "string" },
  organizations: {
    formattedType: "string",
    type: "string",
    startDate: "date",
    endDate: "date",
    current: "bool",
    name: "string",
    phoneticName: "string",
    department: "string",
    title: "string",
    jobDescription: "string",
    symbol: "string",
    domain: "string",
    location: "string",
    costCenter: "string",
    fullTimeEquivalentMillipercent: "int",
  },
  phoneNumbers: { value: "string", canonicalForm: "string", type: "string", formattedType: "string" },
  photos: { url: "string", default: "bool" },
  relations: { person: "string", type: "string", formattedType: "string" },
  sipAddresses: { value: "string", type: "string", formattedType: "string" },
  skills: { value: "string" },
  urls: { value: "string", type: "string", formattedType: "string" },
  userDefined: { key: "string", value: "string" },
};

/** Values the server computes; ignored when a client echoes them back. */
export const OUTPUT_ONLY_KEYS: Partial<Record<PersonField, readonly string[]>> = {
  addresses: ["formattedType"],
  calendarUrls: ["formattedType"],
  emailAddresses: ["formattedType"],
  events: ["formattedType"],
  externalIds: ["formattedType"],
  genders: ["formattedValue"],
  imClients: ["formattedType", "formattedProtocol"],
  memberships: ["domainMembership"],
  miscKeywords: ["formattedType"],
  names: ["displayName", "displayNameLastFirst"],
  organizations: ["formattedType"],
  phoneNumbers: ["canonicalForm", "formattedType"],
  relations: ["formattedType"],
  sipAddresses: ["formattedType"],
  urls: ["formattedType"],
};

/** Top-level Person keys that are accepted in request bodies but carry no writable data. */
export const IGNORED_PERSON_KEYS = ["resourceName", "etag", "metadata", "ageRange", "braggingRights", "relationshipInterests", "relationshipStatuses", "residences", "taglines", "fileAses"] as const;

const TYPE_LABELS: Record<string, string> = {
  home: "Home",
  work: "Work",
  other: "Other",
  mobile: "Mobile",
  homeFax: "Home Fax",
  workFax: "Work Fax",
  otherFax: "Other Fax",
  pager: "Pager",
  workMobile: "Work Mobile",
  workPager: "Work Pager",
  main: "Main",
  googleVoice: "Google Voice",
  school: "School",
  blog: "Blog",
  profile: "Profile",
  homePage: "Home Page",
  ftp: "FTP",
  reservations: "Reservations",
  appInstallPage: "App Install Page",
  anniversary: "Anniversary",
  spouse: "Spouse",
  child: "Child",
  mother: "Mother",
  father: "Father",
  parent: "Parent",
  brother: "Brother",
  sister: "Sister",
  friend: "Friend",
  relative: "Relative",
  domesticPartner: "Domestic Partner",
  manager: "Manager",
  assistant: "Assistant",
  referredBy: "Referred By",
  partner: "Partner",
  account: "Account",
  customer: "Customer",
  loginId: "Login Id",
  network: "Network",
  organization: "Organization",
  availability: "Availability",
  freeBusy: "Free/Busy",
  outlookCategory: "Outlook Category",
  videoChat: "Video Chat",
};

/** The English formattedType: known types get a label, custom types are echoed. */
export function formatType(type: string): string {
  return TYPE_LABELS[type] ?? type;
}

const PROTOCOL_LABELS: Record<string, string> = {
  aim: "AIM",
  msn: "MSN",
  yahoo: "Yahoo",
  skype: "Skype",
  qq: "QQ",
  googleTalk: "Google Talk",
  icq: "ICQ",
  jabber: "Jabber",
  netMeeting: "NetMeeting",
};

export function formatProtocol(protocol: string): string {
  return PROTOCOL_LABELS[protocol] ?? protocol;
}

export function formatGender(value: string): string {
  return value === "male" ? "Male" : value === "female" ? "Female" : value === "unspecified" ? "Unspecified" : value;
}

export type MaskParam = "personFields" | "readMask" | "updatePersonFields" | "updateMask";

/** Parses a comma-separated field mask, rejecting unknown (or, for updates, non-writable) paths. */
export function parsePersonMask(raw: string | null, opts: { param: MaskParam; required: boolean; writableOnly: boolean; docsUrl: string }): PersonField[] {
  const paths = (raw ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (paths.length === 0) {
    if (opts.required) throw maskRequired(opts.param, opts.docsUrl);
    return [];
  }
  const out = new Set<PersonField>();
  for (const p of paths) {
    const path = p.startsWith("person.") ? p.slice("person.".length) : p;
    if (!isPersonField(path) || (opts.writableOnly && !isWritableField(path))) throw invalidMaskPath(opts.param, p, opts.docsUrl);
    out.add(path);
  }
  return [...out];
}
