// The first sync of a group the user previewed (lib/sync/preview.ts): a contact the preview
// paired with a person the user already had is linked to that person instead of creating a
// second one, and the two are merged without losing anything (first-merge.ts):
// - the person gets what only the contact had (e-mails, phones and IM united, empty fields
//   filled): one "linked" event lists those fields;
// - a field both hold with different values keeps the CRM's value: one "conflict" event per
//   field records the provider's;
// - the link's base is what the provider holds. Two-way, when the provider lacks some of the
//   merged values, the link is marked stale and the push phase sends them: afterwards both
//   sides hold the merge, and the next run writes nothing. One-way leaves the provider alone.
// The pairing is checked again here, under the person's lock: a person deleted, reassigned or
// linked elsewhere since the preview is not linked, and the contact is created instead.
import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { updatePersonValues } from "@/db/queries/person-writes";
import { getPersonsForSync, type PersonForSync } from "@/db/queries/sync-persons";
import { syncConnections, syncLinks, syncPreviewContacts } from "@/db/schema";
import { changedFields, normalizeContact } from "../contact";
import { contactToPersonColumns, personToContact } from "../crm-side";
import { firstMerge } from "../first-merge";
import type { PulledContact } from "../provider";
import type { Run } from "./context";
import { contactLabel, fieldChanges } from "./run-log";

/** The persons the preview paired this page's unlinked contacts with (provider id → person id). */
export async function previewPairs(run: Run, tx: Tx, items: PulledContact[]): Promise<Map<string, string>> {
  if (!run.previewed || items.length === 0) return new Map();
  const rows = await tx
    .select({ providerId: syncPreviewContacts.providerId, personId: syncPreviewContacts.personId })
    .from(syncPreviewContacts)
    .where(
      and(
        eq(syncPreviewContacts.connectionId, run.conn.id),
        eq(syncPreviewContacts.decision, "link"),
        inArray(
          syncPreviewContacts.providerId,
          items.map((i) => i.id),
        ),
      ),
    );
  return new Map(rows.flatMap((r) => (r.personId ? [[r.providerId, r.personId] as const] : [])));
}

/** Links and merges the paired contacts; returns those that must be created after all. */
export async function linkPaired(run: Run, tx: Tx, items: PulledContact[], pairs: Map<string, string>, listedAt: Date | null): Promise<PulledContact[]> {
  const paired = items.filter((i) => pairs.has(i.id));
  if (paired.length === 0) return items;
  const people = await getPersonsForSync(
    tx,
    run.actor,
    paired.map((i) => pairs.get(i.id)!),
    { lock: true },
  );
  const taken = await linkedElsewhere(run, tx, [...people.keys()]);
  const create: PulledContact[] = items.filter((i) => !pairs.has(i.id));
  for (const item of paired) {
    const person = people.get(pairs.get(item.id)!);
    if (!person || !person.editable || person.deletedAt || person.ownerId !== run.conn.userId || taken.has(person.id)) {
      create.push(item);
      continue;
    }
    await linkOne(run, tx, item, person, listedAt);
  }
  return create;
}

/** Persons linked by any of the user's connections, this one included (two contacts of one
 * listing never pair with one person: the preview allows one pair per person). */
async function linkedElsewhere(run: Run, tx: Tx, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const rows = await tx
    .select({ personId: syncLinks.personId })
    .from(syncLinks)
    .innerJoin(syncConnections, eq(syncConnections.id, syncLinks.connectionId))
    .where(and(inArray(syncLinks.personId, personIds), eq(syncConnections.userId, run.conn.userId)));
  return new Set(rows.map((r) => r.personId));
}

async function linkOne(run: Run, tx: Tx, item: PulledContact, person: PersonForSync, listedAt: Date | null): Promise<void> {
  // The CRM's values as the CRM holds them (labels the provider cannot keep are kept here).
  const crm = normalizeContact(personToContact(person, run.crm.fieldIds), run.crm.defaultCountry);
  const { merged, filled, differ } = firstMerge(crm, item.contact);
  let version = person.version;
  if (filled.length > 0) {
    const organizationId = filled.includes("organization") ? await run.crm.orgs.resolve(tx, merged.organization) : person.organizationId;
    const updated = await updatePersonValues(tx, run.actor, {
      id: person.id,
      version: person.version,
      values: contactToPersonColumns(merged, run.crm.fieldIds, person.customFields, organizationId),
    });
    if (updated === null) throw new Error("person changed during the run; it will be linked on the next run");
    version = updated;
  }
  const label = contactLabel(merged);
  run.log.record({
    personId: person.id,
    providerId: item.id,
    kind: "linked",
    side: "crm",
    label,
    changes: fieldChanges(crm, merged, filled),
  });
  for (const d of differ) {
    run.log.record({
      personId: person.id,
      providerId: item.id,
      kind: "conflict",
      side: "provider",
      label,
      changes: [{ field: d.field, old: d.provider, new: d.crm }],
      detail: { crm: d.crm, provider: d.provider, winner: "crm", rule: "first sync: the CRM's value is kept" },
    });
  }
  // Two-way: whatever the provider lacks of the merge is sent by the push phase.
  const providerLacks = run.conn.direction === "two_way" && changedFields(item.contact, run.adapter.project(merged)).length > 0;
  await tx.insert(syncLinks).values({
    connectionId: run.conn.id,
    personId: person.id,
    providerId: item.id,
    etag: item.etag,
    base: item.contact,
    crmVersion: providerLacks ? -1 : version,
    photoUrl: item.photoUrl ?? null,
    ...(listedAt ? { listedAt } : {}),
  });
}
