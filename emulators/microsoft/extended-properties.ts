/**
 * singleValueExtendedProperties on contacts: the Graph way to stamp an item
 * with app data (e.g. "which CRM record created this"). Set by POST/PATCH
 * (PATCH upserts the listed properties), read back only through `$expand`
 * on GET/list (never in delta, which supports no `$expand`), and matchable
 * with `$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`
 * (the value compared without regard to case, as Graph documents).
 * Exchange keeps some of its own: PidLidHasPicture (PSETID_Address, long id 0x8015) is true
 * while a contact has a picture, so a list filtered on it finds a folder's contacts with photos.
 */
import { z } from "zod";
import { graphError } from "./errors";

export interface ExtendedProperty {
  id: string;
  value: string;
}

/** PidLidHasPicture, as Graph names it (the GUID in lower case, as Graph returns ids). */
export const HAS_PICTURE_PROPERTY = "Boolean {00062004-0000-0000-c000-000000000046} Id 0x8015";

/** "String {guid} Name X", "Integer {guid} Id 0x8001" or "String 0x3001". */
const ID_PATTERN = /^(?:String|Integer|Boolean|SystemTime|Binary|Double|Currency|Long|Short|Float|Guid|CLSID)\s+(?:\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}\s+(?:Name\s+\S.*|Id\s+0x[0-9a-f]+)|0x[0-9a-f]{1,4})$/i;

export const extendedInputSchema = z.array(z.strictObject({ id: z.string(), value: z.string().nullish() })).nullish();

/** Validates ids; a null value removes the property. */
export function parseExtendedInput(raw: z.infer<typeof extendedInputSchema>): { id: string; value: string | null }[] {
  return (raw ?? []).map((p) => {
    if (!ID_PATTERN.test(p.id.trim())) throw graphError(400, "ErrorInvalidProperty", `The extended property id '${p.id}' is not valid.`);
    return { id: p.id.trim(), value: p.value ?? null };
  });
}

export function applyExtended(target: Map<string, ExtendedProperty>, updates: readonly { id: string; value: string | null }[]): void {
  for (const u of updates) {
    const key = u.id.toLowerCase();
    if (u.value === null) target.delete(key);
    else target.set(key, { id: u.id, value: u.value });
  }
}

/** Parses `$expand`; returns which extended properties to include (null = no expansion). */
export function parseExpand(raw: string | null): ((props: ReadonlyMap<string, ExtendedProperty>) => ExtendedProperty[]) | null {
  if (raw === null || raw.trim() === "") return null;
  const m = /^singleValueExtendedProperties(?:\(\s*\$filter\s*=\s*id\s+eq\s+'((?:[^']|'')*)'\s*\))?$/i.exec(raw.trim());
  if (!m) throw graphError(400, "BadRequest", `Parsing OData Select and Expand failed: '${raw}' is not supported for contacts.`);
  const wanted = m[1]?.replace(/''/g, "'").toLowerCase();
  return (props) => (wanted === undefined ? [...props.values()] : [...props.values()].filter((p) => p.id.toLowerCase() === wanted));
}
