// The planner: pure decisions, no I/O. Given the base snapshot (what both sides last agreed
// on), the CRM's current contact and the provider's, it decides field by field what the
// merged contact is and what each side must change.
//
// The rules (stated once, here):
// - A field changed on one side only: that side's value wins.
// - A field changed on both sides to the same value: nothing to do.
// - A field changed on both sides to different values (a true conflict):
//     two-way: the CRM's value wins; one-way: the provider's value wins.
//   Either way the conflict is reported with base and both values, so nothing is lost silently.
// - Lists (e-mails, phones, IM handles) merge as sets by value: additions on either side are
//   kept, a removal on either side is applied. A label changed on one side wins; a label changed
//   on both sides follows the scalar rule.
// - One-way never plans provider writes.
// - Edit against delete: the deletion wins, on either side, and the losing edit is reported as
//   a conflict (the CRM person stays restorable from the activity log).
import { CONTACT_FIELDS, LIST_FIELDS, valuesEqual, type Contact, type ContactField, type Labeled } from "./contact";
import type { Direction } from "@/db/schema";

export type FieldConflict = {
  field: ContactField;
  base: unknown;
  crm: unknown;
  provider: unknown;
  winner: "crm" | "provider";
};

export type Merge = {
  merged: Contact;
  /** Fields where the CRM must change to reach `merged`. */
  crmFields: ContactField[];
  /** Fields where the provider must change to reach `merged` (always empty one-way). */
  providerFields: ContactField[];
  conflicts: FieldConflict[];
};

const same = valuesEqual;

type ListField = (typeof LIST_FIELDS)[number];
const isListField = (f: ContactField): f is ListField => (LIST_FIELDS as readonly string[]).includes(f);

function toLabeled(value: Labeled[] | string[]): Labeled[] {
  return (value as (Labeled | string)[]).map((v) => (typeof v === "string" ? { value: v, label: "" } : v));
}

/** Set merge by value; labels merged per value with the scalar rule. */
function mergeList(
  base: Labeled[],
  crm: Labeled[],
  provider: Labeled[],
  crmWins: boolean,
): { value: Labeled[]; conflicting: boolean } {
  const index = (items: Labeled[]) => new Map(items.map((i) => [i.value, i.label]));
  const b = index(base);
  const c = index(crm);
  const p = index(provider);
  const values = new Set<string>();
  let conflicting = false;
  for (const v of [...c.keys(), ...p.keys()]) {
    const removedByCrm = b.has(v) && !c.has(v);
    const removedByProvider = b.has(v) && !p.has(v);
    if (!removedByCrm && !removedByProvider) values.add(v);
    // Removed on one side while relabelled on the other: the removal wins, the label is lost.
    if ((removedByCrm && p.get(v) !== b.get(v)) || (removedByProvider && c.get(v) !== b.get(v))) conflicting = true;
  }
  const merged: Labeled[] = [...values].sort().map((value) => {
    const bl = b.get(value);
    const cl = c.get(value);
    const pl = p.get(value);
    if (cl === undefined) return { value, label: pl! };
    if (pl === undefined) return { value, label: cl };
    const crmChanged = cl !== bl;
    const providerChanged = pl !== bl;
    if (crmChanged && providerChanged && cl !== pl && bl !== undefined) conflicting = true;
    if (crmChanged && !providerChanged) return { value, label: cl };
    if (providerChanged && !crmChanged) return { value, label: pl };
    return { value, label: crmWins ? cl : pl };
  });
  return { value: merged, conflicting };
}

export function mergeContact(input: { base: Contact; crm: Contact; provider: Contact; direction: Direction }): Merge {
  const { base, crm, provider, direction } = input;
  const crmWins = direction === "two_way";
  const merged = { ...base } as Record<ContactField, unknown>;
  const conflicts: FieldConflict[] = [];

  for (const field of CONTACT_FIELDS) {
    const b = base[field];
    const c = crm[field];
    const p = provider[field];
    if (isListField(field)) {
      const result = mergeList(toLabeled(base[field]), toLabeled(crm[field]), toLabeled(provider[field]), crmWins);
      merged[field] = field === "ims" ? result.value.map((i) => i.value) : result.value;
      if (result.conflicting) {
        conflicts.push({ field, base: b, crm: c, provider: p, winner: crmWins ? "crm" : "provider" });
      }
      continue;
    }
    const crmChanged = !same(b, c);
    const providerChanged = !same(b, p);
    if (crmChanged && providerChanged && !same(c, p)) {
      merged[field] = crmWins ? c : p;
      conflicts.push({ field, base: b, crm: c, provider: p, winner: crmWins ? "crm" : "provider" });
    } else if (crmChanged) {
      merged[field] = c;
    } else {
      merged[field] = p;
    }
  }

  const result = merged as unknown as Contact;
  return {
    merged: result,
    crmFields: CONTACT_FIELDS.filter((f) => !same(result[f], crm[f])),
    providerFields: direction === "two_way" ? CONTACT_FIELDS.filter((f) => !same(result[f], provider[f])) : [],
    conflicts,
  };
}

export type DeletionDecision =
  | { action: "delete_person"; lostEdit: Contact | null }
  | { action: "delete_at_provider"; lostEdit: Contact | null }
  | { action: "unlink" }
  | { action: "nothing" };

/** The provider contact is gone (deleted, or left the synced group). */
export function decideProviderGone(input: { base: Contact; crm: Contact | null; direction: Direction }): DeletionDecision {
  if (input.crm === null) return { action: "unlink" }; // gone on both sides: quiet
  const edited = !same(input.base, input.crm);
  return { action: "delete_person", lostEdit: edited ? input.crm : null };
}

/** The CRM person was deleted and the provider contact still exists. */
export function decideCrmGone(input: { base: Contact; provider: Contact; direction: Direction }): DeletionDecision {
  if (input.direction === "one_way") return { action: "nothing" };
  const edited = !same(input.base, input.provider);
  return { action: "delete_at_provider", lostEdit: edited ? input.provider : null };
}
