/**
 * The Graph `contact` resource: its properties in the order Graph returns
 * them, request-body validation (unknown properties and wrong types are
 * 400 RequestBodyRead; Outlook's multi-value caps are 400
 * ErrorInvalidProperty), PATCH semantics (top-level merge, arrays replaced)
 * and JSON rendering with `$select`.
 */
import { z } from "zod";
import { graphError } from "./errors";
import { extendedInputSchema, parseExtendedInput } from "./extended-properties";

const STRING_PROPS = [
  "birthday",
  "fileAs",
  "displayName",
  "givenName",
  "initials",
  "middleName",
  "nickName",
  "surname",
  "title",
  "yomiGivenName",
  "yomiSurname",
  "yomiCompanyName",
  "generation",
  "jobTitle",
  "companyName",
  "department",
  "officeLocation",
  "profession",
  "businessHomePage",
  "assistantName",
  "manager",
  "mobilePhone",
  "spouseName",
  "personalNotes",
] as const;
const STRING_ARRAY_PROPS = ["categories", "imAddresses", "homePhones", "businessPhones", "children"] as const;
const ADDRESS_PROPS = ["homeAddress", "businessAddress", "otherAddress"] as const;
const READ_ONLY_PROPS = ["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "parentFolderId"] as const;

type StringProp = (typeof STRING_PROPS)[number];
type StringArrayProp = (typeof STRING_ARRAY_PROPS)[number];
type AddressProp = (typeof ADDRESS_PROPS)[number];

export interface PhysicalAddress {
  street?: string | null;
  city?: string | null;
  state?: string | null;
  countryOrRegion?: string | null;
  postalCode?: string | null;
}

export interface EmailAddress {
  name?: string | null;
  address?: string | null;
}

export type ContactData = { [K in StringProp]: string | null } & { [K in StringArrayProp]: string[] } & { [K in AddressProp]: PhysicalAddress } & { emailAddresses: EmailAddress[] };

/** The order Graph serialises contact properties in. */
export const CONTACT_PROPERTIES = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "parentFolderId",
  "birthday",
  "fileAs",
  "displayName",
  "givenName",
  "initials",
  "middleName",
  "nickName",
  "surname",
  "title",
  "yomiGivenName",
  "yomiSurname",
  "yomiCompanyName",
  "generation",
  "imAddresses",
  "jobTitle",
  "companyName",
  "department",
  "officeLocation",
  "profession",
  "businessHomePage",
  "assistantName",
  "manager",
  "homePhones",
  "mobilePhone",
  "businessPhones",
  "spouseName",
  "personalNotes",
  "children",
  "emailAddresses",
  "homeAddress",
  "businessAddress",
  "otherAddress",
] as const;
export type ContactProperty = (typeof CONTACT_PROPERTIES)[number];
const PROPERTY_BY_LOWER = new Map<string, ContactProperty>(CONTACT_PROPERTIES.map((p) => [p.toLowerCase(), p]));

export function emptyContactData(): ContactData {
  const data: Record<string, unknown> = {};
  for (const p of STRING_PROPS) data[p] = null;
  data["fileAs"] = "";
  data["personalNotes"] = "";
  for (const p of STRING_ARRAY_PROPS) data[p] = [];
  for (const p of ADDRESS_PROPS) data[p] = {};
  data["emailAddresses"] = [];
  return data as ContactData;
}

const addressSchema = z.strictObject({ street: z.string().nullish(), city: z.string().nullish(), state: z.string().nullish(), countryOrRegion: z.string().nullish(), postalCode: z.string().nullish() });
const emailSchema = z.strictObject({ name: z.string().nullish(), address: z.string().nullish(), "@odata.type": z.string().optional() });
const inputShape: Record<string, z.ZodType> = {};
for (const p of STRING_PROPS) inputShape[p] = z.string().nullish();
for (const p of STRING_ARRAY_PROPS) inputShape[p] = z.array(z.string()).nullish();
for (const p of ADDRESS_PROPS) inputShape[p] = addressSchema.nullish();
inputShape["emailAddresses"] = z.array(emailSchema).nullish();
inputShape["singleValueExtendedProperties"] = extendedInputSchema;
for (const p of READ_ONLY_PROPS) inputShape[p] = z.unknown().optional();
const inputSchema = z.strictObject(inputShape);

/** Outlook's hidden per-property caps (seen as 400s in the wild). */
const MULTI_VALUE_LIMITS: Partial<Record<string, { max: number; label: string }>> = {
  emailAddresses: { max: 3, label: "EmailAddresses" },
  businessPhones: { max: 2, label: "BusinessPhones" },
  homePhones: { max: 2, label: "HomePhones" },
  imAddresses: { max: 3, label: "ImAddresses" },
};

const EDM_TYPES: Record<string, string> = { string: "Edm.String", array: "Collection", object: "microsoft.graph.physicalAddress" };

export type ContactPatch = Partial<ContactData>;

export interface ContactBody {
  patch: ContactPatch;
  /** singleValueExtendedProperties to upsert (null value = remove). */
  extended: { id: string; value: string | null }[];
}

/** Validates a POST/PATCH body; returns the writable properties it sets and any extended properties. */
export function parseContactBody(body: unknown): ContactBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw graphError(400, "BadRequest", "Empty Payload. JSON content expected.");
  const withoutAnnotations = Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith("@odata.")));
  const parsed = inputSchema.safeParse(withoutAnnotations, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      throw graphError(400, "RequestBodyRead", `The property '${issue.keys[0] ?? ""}' does not exist on type 'microsoft.graph.contact'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    const expected = issue?.code === "invalid_type" ? (EDM_TYPES[issue.expected] ?? "Edm.String") : "Edm.String";
    throw graphError(400, "RequestBodyRead", `Cannot convert the literal '${String(issue?.input ?? "")}' to the expected type '${expected}'.`);
  }
  const input = parsed.data as Record<string, unknown>;
  const extended = parseExtendedInput(input["singleValueExtendedProperties"] as z.infer<typeof extendedInputSchema>);
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((READ_ONLY_PROPS as readonly string[]).includes(key) || key === "singleValueExtendedProperties" || value === undefined) continue;
    const limit = MULTI_VALUE_LIMITS[key];
    if (limit && Array.isArray(value) && value.length > limit.max) {
      throw graphError(400, "ErrorInvalidProperty", `The multi value property ${limit.label} has ${value.length} entries, that exceeds the max allowed value of ${limit.max}.`);
    }
    if (key === "birthday") {
      patch[key] = value === null ? null : normalizeBirthday(String(value));
      continue;
    }
    if ((ADDRESS_PROPS as readonly string[]).includes(key)) {
      patch[key] = value === null ? {} : Object.fromEntries(Object.entries(value as PhysicalAddress).filter(([, v]) => v !== undefined));
      continue;
    }
    if (key === "emailAddresses") {
      patch[key] = value === null ? [] : (value as EmailAddress[]).map(({ name, address }) => ({ ...(name !== undefined ? { name } : {}), ...(address !== undefined ? { address } : {}) }));
      continue;
    }
    if ((STRING_ARRAY_PROPS as readonly string[]).includes(key)) {
      patch[key] = value ?? [];
      continue;
    }
    patch[key] = value;
  }
  return { patch: patch as ContactPatch, extended };
}

/** Birthdays are DateTimeOffset; Graph has no year-less form. Stored and returned as ISO UTC. */
function normalizeBirthday(raw: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const ms = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(ms)) throw graphError(400, "RequestBodyRead", `Cannot convert the literal '${raw}' to the expected type 'Edm.DateTimeOffset'.`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const NAME_PARTS = ["title", "givenName", "middleName", "surname", "generation"] as const;

/** Outlook's generated display name: the name parts, or the company, or the first e-mail address. */
export function generatedDisplayName(data: ContactData): string {
  const name = NAME_PARTS.map((p) => data[p] ?? "")
    .filter((s) => s.trim() !== "")
    .join(" ");
  if (name !== "") return name;
  if (data.companyName) return data.companyName;
  return data.emailAddresses[0]?.address ?? "";
}

/** PATCH: top-level merge, arrays replaced; the display name is regenerated unless the body sets it. */
export function applyPatch(data: ContactData, patch: ContactPatch, isCreate: boolean): void {
  Object.assign(data, patch);
  const touchesName = NAME_PARTS.some((p) => p in patch);
  if (!("displayName" in patch) && (isCreate || touchesName)) data.displayName = generatedDisplayName(data);
}

/** Resolves `$select` names (Graph accepts any case) to properties; unknown → 400. */
export function parseSelect(raw: string | null): ContactProperty[] | null {
  if (raw === null || raw.trim() === "") return null;
  const out: ContactProperty[] = [];
  for (const part of raw.split(",")) {
    const name = part.trim();
    if (name === "") continue;
    const prop = PROPERTY_BY_LOWER.get(name.toLowerCase());
    if (!prop) throw graphError(400, "RequestBroker--ParseUri", `Could not find a property named '${name}' on type 'microsoft.graph.contact'.`);
    if (!out.includes(prop)) out.push(prop);
  }
  return out;
}

export interface ContactMeta {
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  parentFolderId: string;
}

export function renderContact(meta: ContactMeta, data: ContactData, select: readonly ContactProperty[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = { "@odata.etag": `W/"${meta.changeKey}"` };
  const all = data as unknown as Record<string, unknown>;
  const metaValues = meta as unknown as Record<string, unknown>;
  for (const prop of CONTACT_PROPERTIES) {
    if (select && prop !== "id" && !select.includes(prop)) continue;
    out[prop] = prop in metaValues ? metaValues[prop] : all[prop];
  }
  return out;
}
