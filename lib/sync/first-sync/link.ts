// The first sync of a group the user previewed (lib/sync/first-sync/preview.ts): a contact the preview
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
import { updateManyPersonValues } from "@/db/queries/person-writes";
import { getPersonsForSync, type PersonForSync } from "@/db/queries/sync/persons";
import { syncPreviewContacts } from "@/db/schema";
import * as links from "@/db/queries/sync/links";
import { changedFields, normalizeContact, type Contact } from "../model/contact";
import { contactToPersonColumns, personToContact } from "../engine/crm-side";
import { firstMerge, type FirstMerge } from "./merge";
import type { PulledContact } from "../model/provider";
import type { Run } from "../engine/context";
import { contactLabel, fieldChanges } from "../engine/run-log";

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

/** Links and merges the paired contacts; returns those that must be created after all. The
 * page's merged persons are saved in one statement, and its links in another. */
export async function linkPaired(run: Run, tx: Tx, items: PulledContact[], pairs: Map<string, string>, listedAt: Date | null): Promise<PulledContact[]> {
  const paired = items.filter((i) => pairs.has(i.id));
  if (paired.length === 0) return items;
  const people = await getPersonsForSync(
    tx,
    run.actor,
    paired.map((i) => pairs.get(i.id)!),
    { lock: true },
  );
  // (Two contacts of one listing never pair with one person: the preview allows one pair per person.)
  const taken = await links.linkedByUser(tx, run.conn.userId, [...people.keys()]);
  const create: PulledContact[] = items.filter((i) => !pairs.has(i.id));
  const merges: Merge[] = [];
  for (const item of paired) {
    const person = people.get(pairs.get(item.id)!);
    if (!person || !person.editable || person.deletedAt || person.ownerId !== run.conn.userId || taken.has(person.id)) {
      create.push(item);
      continue;
    }
    // The CRM's values as the CRM holds them (labels the provider cannot keep are kept here).
    const crm = normalizeContact(personToContact(person, run.crm.fieldIds), run.crm.defaultCountry);
    merges.push({ item, person, crm, ...firstMerge(crm, item.contact) });
  }

  const filled = merges.filter((m) => m.filled.length > 0);
  const changes = [];
  for (const m of filled) {
    const organizationId = m.filled.includes("organization") ? await run.crm.orgs.resolve(tx, m.merged.organization) : m.person.organizationId;
    changes.push({ id: m.person.id, version: m.person.version, values: contactToPersonColumns(m.merged, run.crm.fieldIds, m.person.customFields, organizationId) });
  }
  const saved = await updateManyPersonValues(tx, run.actor, changes);
  if (saved.size < changes.length) throw new Error("a person changed during the run; it will be linked on the next run");

  const linked: links.NewLink[] = [];
  for (const m of merges) {
    record(run, m);
    // Two-way: whatever the provider lacks of the merge is sent by the push phase.
    const providerLacks = run.conn.direction === "two_way" && changedFields(m.item.contact, run.adapter.project(m.merged)).length > 0;
    linked.push({
      personId: m.person.id,
      providerId: m.item.id,
      etag: m.item.etag,
      base: m.item.contact,
      crmVersion: providerLacks ? null : (saved.get(m.person.id) ?? m.person.version),
      photoUrl: m.item.photoUrl ?? null,
    });
  }
  await links.insertLinked(tx, run.conn.id, linked, listedAt);
  return create;
}

type Merge = FirstMerge & { item: PulledContact; person: PersonForSync; crm: Contact };

/** The pair's events: "linked" with the fields filled, and a conflict per field kept. */
function record(run: Run, { item, person, crm, merged, filled, differ }: Merge): void {
  const label = contactLabel(merged);
  run.log.record({ personId: person.id, providerId: item.id, kind: "linked", side: "crm", label, changes: fieldChanges(crm, merged, filled) });
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
}
