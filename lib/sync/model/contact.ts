// The canonical, provider-neutral contact: what both sides of a sync are compared in.
// Every value is normalised (normalizeContact) before it is compared, hashed or stored as a
// base snapshot, so that cosmetic differences (case of an e-mail, spacing, phone formatting,
// order of list items) never look like changes.
import { normalizeEmail, normalizePhone, normalizeText, trimEndWhere } from "@/lib/normalize";
import type { Contact, HeldField, Labeled } from "@/db/vocabulary";

export type { Contact, Labeled } from "@/db/vocabulary";

/** The fields a sync compares and merges, in a stable order. */
export const CONTACT_FIELDS = [
  "firstName",
  "lastName",
  "emails",
  "phones",
  "address",
  "postalAddress",
  "ims",
  "organization",
  "jobTitle",
  "notes",
  "birthday",
] as const satisfies readonly (keyof Contact)[];
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const LIST_FIELDS = ["emails", "phones", "ims"] as const satisfies readonly ContactField[];

export const EMPTY_CONTACT: Contact = {
  firstName: "",
  lastName: "",
  emails: [],
  phones: [],
  address: null,
  postalAddress: null,
  ims: [],
  organization: null,
  jobTitle: null,
  notes: null,
  birthday: null,
};

const isHorizontalSpace = (char: string) => char === " " || char === "\t" || char === "\u00a0";

/** Multi-line text: NFC, line endings unified, trailing spaces and blank edges removed. Linear
 * in the text's length, whatever it holds. */
export function normalizeLongText(value: string): string {
  return value
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => trimEndWhere(line, isHorizontalSpace))
    .join("\n")
    .trim();
}

const orNull = (value: string | null | undefined, normalize: (v: string) => string = normalizeText): string | null => {
  if (value === null || value === undefined) return null;
  const v = normalize(value);
  return v === "" ? null : v;
};

const LABEL_MAX = 40;
export function normalizeLabel(label: string): string {
  // Cut by code point (never half a surrogate pair), then tidy again: idempotent.
  const cut = Array.from(normalizeText(label).toLowerCase()).slice(0, LABEL_MAX).join("");
  return normalizeText(cut) || "other";
}

function labeledSet(items: Labeled[], normalizeValue: (v: string) => string): Labeled[] {
  const byValue = new Map<string, Labeled>();
  for (const item of items) {
    const value = normalizeValue(item.value);
    if (value === "" || byValue.has(value)) continue;
    byValue.set(value, { value, label: normalizeLabel(item.label) });
  }
  return [...byValue.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Whether the date exists (setUTCFullYear, unlike Date.UTC, takes years 0–99 literally). */
function dayExists(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCMonth() === month - 1;
}

/** "YYYY-MM-DD" / "--MM-DD" split into numbers (year null when absent); null for anything else. */
export function birthdayParts(value: string): { year: number | null; month: number; day: number } | null {
  const m = /^(?:(\d{4})-|--)(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return { year: m[1] === undefined ? null : Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** A birthday without its year, "--MM-DD"; null when no year has that day (29 February is in
 * leap years, 30 February in none). */
export function yearlessBirthday(month: number, day: number): string | null {
  return dayExists(2000, month, day) ? `--${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` : null;
}

/** Valid "YYYY-MM-DD" / "--MM-DD", else null (a provider's junk date is dropped, not guessed).
 * Year 0 means "no year": neither provider can hold it. */
export function normalizeBirthday(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4}|--)-?(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const parts = birthdayParts(m[1] === "--" ? `--${m[2]}-${m[3]}` : `${m[1]}-${m[2]}-${m[3]}`)!;
  if (parts.year === null || parts.year === 0) return yearlessBirthday(parts.month, parts.day);
  return dayExists(parts.year, parts.month, parts.day) ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** The longest value of each field Tandem syncs, in characters (lists: each item), and the most
 * items a list field may have. Far above what people write (a person's form takes less), they
 * bound what one contact of a provider's answer can cost to read, store and compare. */
export const FIELD_LIMITS: Record<ContactField, number> = {
  firstName: 1_000,
  lastName: 1_000,
  emails: 1_000,
  phones: 1_000,
  address: 2_000,
  postalAddress: 2_000,
  ims: 1_000,
  organization: 1_000,
  jobTitle: 1_000,
  notes: 64_000,
  birthday: 100,
};
export const LIST_ITEMS_LIMIT = 200;

/** A field of a provider's contact longer than Tandem syncs: left out, never cut. */
export type OversizeField = HeldField<ContactField>;

/** The fields of a contact as a provider's answer holds it (not yet normalised) that are over
 * FIELD_LIMITS: checked before anything else reads them. */
export function oversizeFields(raw: Contact): OversizeField[] {
  const out: OversizeField[] = [];
  for (const field of CONTACT_FIELDS) {
    const value = raw[field];
    const limit = FIELD_LIMITS[field];
    if (Array.isArray(value)) {
      if (value.length > LIST_ITEMS_LIMIT) out.push({ field, length: value.length, limit: LIST_ITEMS_LIMIT, unit: "items" });
      else {
        const longest = Math.max(0, ...value.map((item: Labeled | string) => (typeof item === "string" ? item.length : item.value.length + item.label.length)));
        if (longest > limit) out.push({ field, length: longest, limit, unit: "characters" });
      }
    } else if (typeof value === "string" && value.length > limit) out.push({ field, length: value.length, limit, unit: "characters" });
  }
  return out;
}

/** A provider's contact as the engine reads it: normalised, with any field over its limit left
 * out (empty here; the engine keeps what both sides hold of it as it is) and named. */
export function readProviderContact(raw: Contact, defaultCountry: string): { contact: Contact; oversize: OversizeField[] } {
  const oversize = oversizeFields(raw);
  const kept: Contact = { ...raw };
  for (const { field } of oversize) (kept as Record<ContactField, unknown>)[field] = EMPTY_CONTACT[field];
  return { contact: normalizeContact(kept, defaultCountry), oversize };
}

/** The contact with these fields taken from `from`. */
export function withFieldsOf(contact: Contact, from: Contact, fields: readonly ContactField[]): Contact {
  const out = { ...contact } as Record<ContactField, unknown>;
  for (const field of fields) out[field] = from[field];
  return out as Contact;
}

/** The one normalisation. Idempotent: normalizeContact(normalizeContact(c)) equals normalizeContact(c). */
export function normalizeContact(c: Contact, defaultCountry: string): Contact {
  return {
    firstName: normalizeText(c.firstName),
    lastName: normalizeText(c.lastName),
    emails: labeledSet(c.emails, normalizeEmail),
    phones: labeledSet(c.phones, (v) => normalizePhone(v, defaultCountry)),
    address: orNull(c.address),
    postalAddress: orNull(c.postalAddress),
    ims: [...new Set(c.ims.map(normalizeText).filter(Boolean))].sort(),
    organization: orNull(c.organization),
    jobTitle: orNull(c.jobTitle),
    notes: orNull(c.notes, normalizeLongText),
    birthday: normalizeBirthday(c.birthday),
  };
}

/** JSON with object keys sorted: equal values give equal strings, whatever the key order
 * (a base snapshot read back from jsonb comes with its keys reordered). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

export function fieldEquals(field: ContactField, a: Contact, b: Contact): boolean {
  return valuesEqual(a[field], b[field]);
}

/** Fields whose normalised values differ. */
export function changedFields(a: Contact, b: Contact): ContactField[] {
  return CONTACT_FIELDS.filter((f) => !fieldEquals(f, a, b));
}

export function contactsEqual(a: Contact, b: Contact): boolean {
  return changedFields(a, b).length === 0;
}
