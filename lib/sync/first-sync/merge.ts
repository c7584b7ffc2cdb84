// The first merge of a contact with a person the user already had (a pair of the first sync's
// preview): nothing is lost from either side. Pure, no I/O.
// - E-mails, phones and IM handles are united (a value on both sides keeps the CRM's label).
// - A field empty on one side is filled from the other.
// - A single-value field that differs keeps the CRM's value; the provider's is reported, to be
//   recorded as a conflict in the person's history (two-way then sends the CRM's value to the
//   provider; one-way leaves the provider alone).
import { CONTACT_FIELDS, LIST_FIELDS, valuesEqual, type Contact, type ContactField, type Labeled } from "../model/contact";

export type FirstMerge = {
  merged: Contact;
  /** Fields the CRM person gets from the contact (empty before, or more list items). */
  filled: ContactField[];
  /** Single-value fields that differ: the CRM's value is kept. */
  differ: { field: ContactField; crm: unknown; provider: unknown }[];
};

const isList = (f: ContactField): f is (typeof LIST_FIELDS)[number] => (LIST_FIELDS as readonly string[]).includes(f);
const isEmpty = (v: unknown) => v === null || v === "" || (Array.isArray(v) && v.length === 0);

function unite(crm: Labeled[], provider: Labeled[]): Labeled[] {
  const byValue = new Map(crm.map((i) => [i.value, i]));
  for (const i of provider) if (!byValue.has(i.value)) byValue.set(i.value, i);
  return [...byValue.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

export function firstMerge(crm: Contact, provider: Contact): FirstMerge {
  const merged = { ...crm } as Record<ContactField, unknown>;
  const filled: ContactField[] = [];
  const differ: FirstMerge["differ"] = [];
  for (const field of CONTACT_FIELDS) {
    const c = crm[field];
    const p = provider[field];
    if (isList(field)) {
      const united =
        field === "ims"
          ? [...new Set([...(c as string[]), ...(p as string[])])].sort()
          : unite(c as Labeled[], p as Labeled[]);
      merged[field] = united;
      if ((united as unknown[]).length > (c as unknown[]).length) filled.push(field);
    } else if (isEmpty(c) && !isEmpty(p)) {
      merged[field] = p;
      filled.push(field);
    } else if (!isEmpty(c) && !isEmpty(p) && !valuesEqual(c, p)) {
      differ.push({ field, crm: c, provider: p });
    }
  }
  return { merged: merged as unknown as Contact, filled, differ };
}
