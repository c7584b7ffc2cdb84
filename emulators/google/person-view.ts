/**
 * Turns stored contact data into Person JSON: per-item field metadata,
 * computed output-only values (display names, formattedType, E.164
 * canonicalForm, address formattedValue), photos and person metadata. The
 * full view is computed once per mutation and cached on the contact; a
 * request only picks the fields of its mask, so listing stays cheap.
 */
import { formatGender, formatProtocol, formatType, type PersonField, type WritableField } from "./person-fields";
import type { PersonData, PersonItem } from "./person-input";

export interface PhotoRef {
  url: string;
  isDefault: boolean;
}

export interface ViewInput {
  sourceId: string;
  sourceEtag: string;
  updateTime: string;
  data: PersonData;
  primary: Partial<Record<WritableField, number>>;
  photo: PhotoRef;
}

export type PersonView = Partial<Record<PersonField, unknown>>;

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;

function str(item: PersonItem, key: string): string {
  const v = item[key];
  return typeof v === "string" ? v : "";
}

function joinNonEmpty(parts: string[], sep: string): string {
  return parts.filter((p) => p !== "").join(sep);
}

/** Google formats names per locale; East Asian names are family-first without a space. */
export function computeNames(item: PersonItem): PersonItem {
  const out: PersonItem = { ...item };
  let given = str(item, "givenName");
  let family = str(item, "familyName");
  const unstructured = str(item, "unstructuredName");
  if (given === "" && family === "" && str(item, "middleName") === "" && unstructured !== "") {
    // Google splits a free-form name it is given into parts.
    const tokens = unstructured.trim().split(/\s+/);
    if (tokens.length > 1 && !CJK.test(unstructured)) {
      family = tokens.pop() ?? "";
      given = tokens.join(" ");
    } else given = unstructured.trim();
    if (given !== "") out["givenName"] = given;
    if (family !== "") out["familyName"] = family;
  }
  const prefix = str(item, "honorificPrefix");
  const middle = str(item, "middleName");
  const suffix = str(item, "honorificSuffix");
  let display: string;
  let lastFirst: string;
  if (CJK.test(given + family)) {
    display = family + given;
    lastFirst = display;
  } else {
    display = joinNonEmpty([prefix, given, middle, family], " ");
    if (suffix !== "") display = display === "" ? suffix : `${display}, ${suffix}`;
    const rest = joinNonEmpty([prefix, given, middle], " ");
    lastFirst = family === "" ? display : joinNonEmpty([family, rest, suffix], ", ");
  }
  if (display === "") display = unstructured;
  if (lastFirst === "") lastFirst = display;
  if (display !== "") out["displayName"] = display;
  if (lastFirst !== "") out["displayNameLastFirst"] = lastFirst;
  if (unstructured === "" && display !== "") out["unstructuredName"] = display;
  return out;
}

/**
 * E.164 when the number is unambiguous: an explicit +/00 prefix, or a
 * 10-digit North American number (the emulated accounts' region is US).
 * Google leaves canonicalForm unset when it cannot parse a number.
 */
export function canonicalPhone(value: string): string | null {
  const trimmed = value.trim();
  const digits = trimmed.replace(/[^\d]/g, "");
  if (/^\+/.test(trimmed)) return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : null;
  if (/^00/.test(trimmed)) return digits.length >= 9 && digits.length <= 17 ? `+${digits.slice(2)}` : null;
  if (/^[2-9]\d{2}[2-9]\d{6}$/.test(digits)) return `+1${digits}`;
  if (/^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)) return `+${digits}`;
  return null;
}

export function formatAddress(item: PersonItem): string {
  const cityLine = joinNonEmpty([joinNonEmpty([str(item, "city"), str(item, "region")], ", "), str(item, "postalCode")], " ");
  const poBox = str(item, "poBox");
  return joinNonEmpty([str(item, "streetAddress"), str(item, "extendedAddress"), poBox === "" ? "" : `PO Box ${poBox}`, cityLine, str(item, "country")], "\n");
}

function computeItem(field: WritableField, item: PersonItem): PersonItem {
  const type = str(item, "type");
  switch (field) {
    case "names":
      return computeNames(item);
    case "phoneNumbers": {
      const out: PersonItem = { ...item };
      const canonical = canonicalPhone(str(item, "value"));
      if (canonical) out["canonicalForm"] = canonical;
      if (type !== "") out["formattedType"] = formatType(type);
      return out;
    }
    case "addresses": {
      const out: PersonItem = { ...item };
      if (str(item, "formattedValue") === "") {
        const formatted = formatAddress(item);
        if (formatted !== "") out["formattedValue"] = formatted;
      }
      if (type !== "") out["formattedType"] = formatType(type);
      return out;
    }
    case "imClients": {
      const out: PersonItem = { ...item };
      if (type !== "") out["formattedType"] = formatType(type);
      const protocol = str(item, "protocol");
      if (protocol !== "") out["formattedProtocol"] = formatProtocol(protocol);
      return out;
    }
    case "genders": {
      const value = str(item, "value");
      return value === "" ? { ...item } : { ...item, formattedValue: formatGender(value) };
    }
    case "memberships": {
      const m = item["contactGroupMembership"] as { contactGroupResourceName?: string } | undefined;
      const rn = m?.contactGroupResourceName ?? "";
      return { contactGroupMembership: { contactGroupId: rn.replace(/^contactGroups\//, ""), contactGroupResourceName: rn } };
    }
    case "emailAddresses":
    case "organizations":
    case "urls":
    case "relations":
    case "events":
    case "externalIds":
    case "calendarUrls":
    case "sipAddresses":
    case "miscKeywords":
      return type === "" ? { ...item } : { ...item, formattedType: formatType(type) };
    default:
      return { ...item };
  }
}

export function buildView(input: ViewInput): PersonView {
  const source = { type: "CONTACT", id: input.sourceId };
  const view: PersonView = {};
  for (const [field, items] of Object.entries(input.data) as [WritableField, PersonItem[]][]) {
    const primaryIndex = input.primary[field] ?? 0;
    view[field] = items.map((item, i) => {
      const metadata: Record<string, unknown> = field === "memberships" ? { source } : i === primaryIndex ? { primary: true, sourcePrimary: true, source } : { source };
      return { metadata, ...computeItem(field, item) };
    });
  }
  view.photos = [{ metadata: { primary: true, source }, url: input.photo.url, ...(input.photo.isDefault ? { default: true } : {}) }];
  view.metadata = { sources: [{ type: "CONTACT", id: input.sourceId, etag: input.sourceEtag, updateTime: input.updateTime }], objectType: "PERSON" };
  return view;
}

/** Lists cap e-mail addresses and phone numbers at 100 per person ("use people.get for the rest"). */
export const LIST_MULTI_VALUE_CAP = 100;

export function projectView(view: PersonView, fields: readonly PersonField[], capped: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = view[f];
    if (v === undefined) continue;
    out[f] = capped && (f === "emailAddresses" || f === "phoneNumbers") && Array.isArray(v) && v.length > LIST_MULTI_VALUE_CAP ? v.slice(0, LIST_MULTI_VALUE_CAP) : v;
  }
  return out;
}
