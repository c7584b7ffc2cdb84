/**
 * Validates Person request bodies the way the People API does (unknown JSON
 * names and wrong value types are 400 INVALID_ARGUMENT with a BadRequest
 * fieldViolation, paths in proto snake_case) and normalises them into the
 * stored form: output-only keys and proto3 defaults ("" / 0 / false / null)
 * are dropped, as are items left empty.
 */
import { z } from "zod";
import { invalidArgument } from "./errors";
import { IGNORED_PERSON_KEYS, ITEM_KEYS, OUTPUT_ONLY_KEYS, PERSON_FIELDS, SINGLETON_FIELDS, WRITABLE_FIELDS, type PersonField, type ValueKind, type WritableField } from "./person-fields";

export type PersonItem = Record<string, unknown>;
export type PersonData = Partial<Record<WritableField, PersonItem[]>>;

export interface NormalizedPerson {
  data: PersonData;
  /** Index of the item a client marked primary, per field. */
  primary: Partial<Record<WritableField, number>>;
  etag: string | null;
  resourceName: string | null;
}

const int32 = z.number().int().min(-2147483648).max(2147483647);
const sourceSchema = z.strictObject({ type: z.string().nullish(), id: z.string().nullish(), etag: z.string().nullish(), updateTime: z.string().nullish(), profileMetadata: z.unknown().optional() }).nullish();
const fieldMetadataSchema = z.strictObject({ primary: z.boolean().nullish(), sourcePrimary: z.boolean().nullish(), verified: z.boolean().nullish(), source: sourceSchema }).nullish();

function valueSchema(kind: ValueKind): z.ZodType {
  switch (kind) {
    case "string":
      return z.string().nullish();
    case "bool":
      return z.boolean().nullish();
    case "int":
      return int32.nullish();
    case "date":
      return z.strictObject({ year: int32.nullish(), month: int32.nullish(), day: int32.nullish() }).nullish();
    case "membership":
      return z.strictObject({ contactGroupId: z.string().nullish(), contactGroupResourceName: z.string().nullish() }).nullish();
    case "domainMembership":
      return z.strictObject({ inViewerDomain: z.boolean().nullish() }).nullish();
  }
}

function itemSchema(field: PersonField): z.ZodType {
  const shape: Record<string, z.ZodType> = { metadata: fieldMetadataSchema };
  for (const [key, kind] of Object.entries(ITEM_KEYS[field])) shape[key] = valueSchema(kind);
  return z.strictObject(shape);
}

const personShape: Record<string, z.ZodType> = {};
for (const field of PERSON_FIELDS) personShape[field] = field === "metadata" ? z.unknown().optional() : z.array(itemSchema(field)).nullish();
for (const key of IGNORED_PERSON_KEYS) personShape[key] = z.unknown().optional();
personShape["resourceName"] = z.string().nullish();
personShape["etag"] = z.string().nullish();
const personSchema = z.strictObject(personShape);

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function protoPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : `.${snake(String(seg))}`;
  return out;
}

const PROTO_TYPES: Record<string, string> = { string: "TYPE_STRING", boolean: "TYPE_BOOL", number: "TYPE_INT32", int: "TYPE_INT32" };

function describeIssue(issue: z.core.$ZodIssue, root: string): { field: string; description: string }[] {
  if (issue.code === "unrecognized_keys") {
    const at = protoPath(root, issue.path);
    return issue.keys.map((k) => ({ field: at, description: `Invalid JSON payload received. Unknown name "${k}" at '${at}': Cannot find field.` }));
  }
  const at = protoPath(root, issue.path);
  const expected = issue.code === "invalid_type" ? (PROTO_TYPES[issue.expected] ?? "TYPE_MESSAGE") : "TYPE_INT32";
  return [{ field: at, description: `Invalid value at '${at}' (${expected}), ${JSON.stringify(issue.input ?? null)}` }];
}

function isDefault(value: unknown): boolean {
  return value === null || value === undefined || value === "" || value === false || value === 0;
}

function normalizeItem(field: WritableField, raw: Record<string, unknown>): PersonItem | null {
  const outputOnly = OUTPUT_ONLY_KEYS[field] ?? [];
  const item: PersonItem = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "metadata" || outputOnly.includes(key) || isDefault(value)) continue;
    if (typeof value === "object" && value !== null) {
      const nested: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        // Only the resource name identifies a group on input.
        if (key === "contactGroupMembership" && k === "contactGroupId") continue;
        if (!isDefault(v)) nested[k] = v;
      }
      if (Object.keys(nested).length > 0) item[key] = nested;
      continue;
    }
    item[key] = value;
  }
  return Object.keys(item).length > 0 ? item : null;
}

function checkDate(root: string, field: string, index: number, key: string, value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  const d = value as { year?: number | null; month?: number | null; day?: number | null };
  const bad = (d.year != null && (d.year < 0 || d.year > 9999)) || (d.month != null && (d.month < 0 || d.month > 12)) || (d.day != null && (d.day < 0 || d.day > 31));
  if (bad) {
    const at = `${root}.${snake(field)}[${index}].${snake(key)}`;
    throw invalidArgument(`Invalid date at '${at}': ${JSON.stringify(value)}`, [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: at, description: "Invalid date." }] }]);
  }
}

/**
 * Parses one Person body. `root` names it in error paths (`person`,
 * `contacts[3].contact_person`). Throws a Google-shaped ReplyError.
 */
export function normalizePerson(body: unknown, root: string): NormalizedPerson {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object at '${root}'.`);
  }
  const parsed = personSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) {
    const violations = parsed.error.issues.flatMap((i) => describeIssue(i, root));
    throw invalidArgument(violations.map((v) => v.description).join("\n"), [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: violations }]);
  }
  const input = parsed.data as Record<string, unknown>;
  const data: PersonData = {};
  const primary: NormalizedPerson["primary"] = {};
  for (const field of WRITABLE_FIELDS) {
    const rawItems = input[field];
    if (!Array.isArray(rawItems)) continue;
    const items: PersonItem[] = [];
    rawItems.forEach((raw: Record<string, unknown>, index) => {
      for (const [key, kind] of Object.entries(ITEM_KEYS[field])) if (kind === "date") checkDate(root, field, index, key, raw[key]);
      const item = normalizeItem(field, raw);
      if (!item) return;
      const meta = raw["metadata"] as { primary?: boolean | null; sourcePrimary?: boolean | null } | null | undefined;
      if (meta?.primary || meta?.sourcePrimary) primary[field] ??= items.length;
      items.push(item);
    });
    if (items.length > 0) data[field] = items;
  }
  for (const field of SINGLETON_FIELDS) {
    if ((data[field]?.length ?? 0) > 1) throw invalidArgument(`Cannot have more than one person.${field} per source.`);
  }
  return { data, primary, etag: personEtag(input), resourceName: typeof input["resourceName"] === "string" ? input["resourceName"] : null };
}

/** The etag a client sent: top-level, or the CONTACT source's in metadata. */
function personEtag(input: Record<string, unknown>): string | null {
  if (typeof input["etag"] === "string" && input["etag"] !== "") return input["etag"];
  const meta = input["metadata"];
  if (typeof meta !== "object" || meta === null) return null;
  const sources = (meta as { sources?: unknown }).sources;
  if (!Array.isArray(sources)) return null;
  for (const s of sources) {
    if (typeof s === "object" && s !== null && (s as { type?: unknown }).type === "CONTACT") {
      const etag = (s as { etag?: unknown }).etag;
      if (typeof etag === "string" && etag !== "") return etag;
    }
  }
  return null;
}
