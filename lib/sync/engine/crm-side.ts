// The CRM side of a sync: reading a person as a Contact and writing a Contact into a person.
// IM, postal address, notes, birthday and job title have no person column; they live in the
// company's custom fields, created once (the first time a connection is configured) and reused.
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import type { PersonForSync } from "@/db/queries/sync/persons";
import { customFields, organizations, type CustomFieldType } from "@/db/schema";
import { personSearchText } from "@/lib/persons/input";
import type { Contact } from "../model/contact";

export const SYNC_CUSTOM_FIELDS = {
  ims: { key: "sync_im", name: "Instant messaging", type: "text" },
  postalAddress: { key: "sync_postal_address", name: "Postal address", type: "address" },
  notes: { key: "sync_notes", name: "Notes", type: "long_text" },
  birthday: { key: "sync_birthday", name: "Birthday", type: "date" },
  jobTitle: { key: "sync_job_title", name: "Job title", type: "text" },
} as const satisfies Record<string, { key: string; name: string; type: CustomFieldType }>;

export type SyncFieldIds = Record<keyof typeof SYNC_CUSTOM_FIELDS, string>;

/** Creates the sync custom fields of a company if missing; returns their ids. Idempotent and
 * safe under concurrency (the unique key decides). */
/** The company's sync custom fields as one JSON value, for a statement that reads them along
 * with something else (null: none yet). */
export function syncCustomFieldsSql(companyId: SQL | string): SQL<{ id: string; key: string }[] | string | null> {
  const keys = Object.values(SYNC_CUSTOM_FIELDS).map((d) => d.key);
  return sql`(select json_agg(json_build_object('id', f.id, 'key', f.key)) from ${customFields} f
    where f.company_id = ${companyId} and f.key in (${sql.join(keys.map((k) => sql`${k}`), sql`, `)}))`;
}

export async function ensureSyncCustomFields(db: DB | Tx, companyId: string, known?: { id: string; key: string }[]): Promise<SyncFieldIds> {
  const defs = Object.values(SYNC_CUSTOM_FIELDS);
  const read = () =>
    db
      .select({ id: customFields.id, key: customFields.key })
      .from(customFields)
      .where(and(eq(customFields.companyId, companyId), inArray(customFields.key, defs.map((d) => d.key))));
  // Made once per company (the first run): after that, one read (or none: `known`, read by the
  // caller with something else — syncCustomFieldsSql).
  let rows = known ?? (await read());
  if (rows.length < defs.length) {
    await db
      .insert(customFields)
      .values(defs.map((d) => ({ companyId, key: d.key, name: d.name, type: d.type })))
      .onConflictDoNothing();
    rows = await read();
  }
  const byKey = new Map(rows.map((r) => [r.key, r.id]));
  const ids = {} as SyncFieldIds;
  for (const [field, def] of Object.entries(SYNC_CUSTOM_FIELDS) as [keyof SyncFieldIds, { key: string }][]) {
    const id = byKey.get(def.key);
    if (!id) throw new Error(`custom field ${def.key} missing after insert`);
    ids[field] = id;
  }
  return ids;
}

const IM_SEPARATOR = ", ";

/** A person as the canonical contact (not yet normalised). */
export function personToContact(p: Omit<PersonForSync, "editable">, fields: SyncFieldIds): Contact {
  const cf = (id: string) => p.customFields[id] ?? null;
  const ims = cf(fields.ims);
  return {
    firstName: p.firstName,
    lastName: p.lastName,
    emails: p.emails,
    phones: p.phones,
    address: p.address,
    postalAddress: cf(fields.postalAddress),
    ims: ims ? ims.split(",").map((im) => im.trim()).filter(Boolean) : [],
    organization: p.organizationName,
    jobTitle: cf(fields.jobTitle),
    notes: cf(fields.notes),
    birthday: cf(fields.birthday),
  };
}

/** The person columns that hold a contact (organizationId resolved by the caller). */
export function contactToPersonColumns(
  contact: Contact,
  fields: SyncFieldIds,
  currentCustomFields: Record<string, string>,
  organizationId: string | null,
) {
  const custom = { ...currentCustomFields };
  const set = (id: string, value: string | null) => {
    if (value === null || value === "") delete custom[id];
    else custom[id] = value;
  };
  set(fields.ims, contact.ims.join(IM_SEPARATOR) || null);
  set(fields.postalAddress, contact.postalAddress);
  set(fields.notes, contact.notes);
  set(fields.birthday, contact.birthday);
  set(fields.jobTitle, contact.jobTitle);
  return {
    firstName: contact.firstName,
    lastName: contact.lastName,
    emails: contact.emails,
    phones: contact.phones,
    address: contact.address,
    organizationId,
    customFields: custom,
    searchText: personSearchText(contact),
  };
}

/** Finds organizations by name (case-insensitive) in the company, creating missing ones; one
 * cache per run so a 25,000-contact sync does not look up the same name 25,000 times. */
export class OrganizationResolver {
  private readonly byName = new Map<string, string>();
  private loaded = false;

  constructor(
    private readonly companyId: string,
    private readonly ownerId: string,
  ) {}

  async resolve(db: DB | Tx, name: string | null): Promise<string | null> {
    if (!name) return null;
    const key = name.toLowerCase();
    if (!this.loaded) {
      const rows = await db
        .select({ id: organizations.id, name: organizations.name })
        .from(organizations)
        .where(eq(organizations.companyId, this.companyId))
        .orderBy(organizations.createdAt);
      for (const r of rows) if (!this.byName.has(r.name.toLowerCase())) this.byName.set(r.name.toLowerCase(), r.id);
      this.loaded = true;
    }
    const known = this.byName.get(key);
    if (known) return known;
    const [existing] = await db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(eq(organizations.companyId, this.companyId), sql`lower(${organizations.name}) = ${key}`))
      .limit(1);
    const id =
      existing?.id ??
      (await db.insert(organizations).values({ companyId: this.companyId, name, ownerId: this.ownerId }).returning({ id: organizations.id }))[0]
        ?.id;
    if (!id) throw new Error("organization insert returned no row");
    this.byName.set(key, id);
    return id;
  }

  /** Forget what a rolled-back transaction may have created. */
  reset(): void {
    this.byName.clear();
    this.loaded = false;
  }
}
