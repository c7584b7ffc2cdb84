// The first sync of a group the user previewed (preview.ts): a contact the preview paired with
// a person the user already had is linked to that person instead of creating a second one, and
// the two are merged without losing anything (merge.ts):
// - the person gets what only the contact had (e-mails, phones and IM united, empty fields
//   filled): one "linked" event lists those fields;
// - a field both hold with different values keeps the CRM's value: one "conflict" event per
//   field records the provider's;
// - the link's base is what the provider holds. Two-way, when the provider lacks some of the
//   merged values, the link waits to be sent and the push phase sends them: afterwards both
//   sides hold the merge, and the next run writes nothing. One-way leaves the provider alone.
// The pairing is checked again in the page's transaction, under the person's lock: a person
// deleted, reassigned or linked elsewhere since the preview is not linked, and the contact is
// created instead. Reading the pairs is here; deciding them is planPairs (pure); the writes are
// the engine's (engine/apply-page.ts).
import { and, eq, inArray } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import { getPersonsForSync, type PersonForSync } from "@/db/queries/sync/persons";
import type { Actor } from "@/db/queries/person-writes";
import * as links from "@/db/queries/sync/links";
import { syncPreviewContacts } from "@/db/schema";
import { changedFields, type Contact, type ContactField } from "../model/contact";
import type { PulledContact } from "../model/provider";
import type { EventInput } from "../engine/run-log";
import { contactLabel, fieldChanges } from "../engine/run-log";
import { firstMerge } from "./merge";

/** A contact linked to the person the preview paired it with, merged without loss. */
export type PairAction = {
  kind: "pair";
  item: PulledContact;
  person: Pick<PersonForSync, "id" | "version" | "customFields" | "organizationId">;
  merged: Contact;
  /** Fields of the person the merge fills (empty: the person is not written). */
  filled: ContactField[];
  /** Two-way: the provider lacks some of the merge, which the push sends. */
  providerLacks: boolean;
};

/** The persons the preview paired these contacts with (provider id → the person, read under
 * its lock; null when it no longer exists), and which of them a connection of the user links. */
export async function readPairs(
  tx: Tx | DB,
  connectionId: string,
  user: { actor: Actor; id: string },
  providerIds: string[],
): Promise<{ pairs: Map<string, PersonForSync | null>; taken: Set<string> }> {
  if (providerIds.length === 0) return { pairs: new Map(), taken: new Set() };
  const rows = await tx
    .select({ providerId: syncPreviewContacts.providerId, personId: syncPreviewContacts.personId })
    .from(syncPreviewContacts)
    .where(and(eq(syncPreviewContacts.connectionId, connectionId), eq(syncPreviewContacts.decision, "link"), inArray(syncPreviewContacts.providerId, providerIds)));
  const paired = rows.flatMap((r) => (r.personId ? [[r.providerId, r.personId] as const] : []));
  if (paired.length === 0) return { pairs: new Map(), taken: new Set() };
  const people = await getPersonsForSync(tx, user.actor, paired.map(([, personId]) => personId), { lock: true });
  return {
    pairs: new Map(paired.map(([providerId, personId]) => [providerId, people.get(personId) ?? null])),
    taken: await links.linkedByUser(tx, user.id, [...people.keys()]),
  };
}

type PairContext = {
  direction: "one_way" | "two_way";
  userId: string;
  crmValues: (person: PersonForSync) => Contact;
  project: (contact: Contact) => Contact;
};

/** Which of the page's unlinked contacts are linked to their paired persons (with the events
 * that say so), and which must be created after all. */
export function planPairs(
  ctx: PairContext,
  items: PulledContact[],
  pairs: Map<string, PersonForSync | null>,
  taken: ReadonlySet<string>,
): { actions: ({ kind: "record"; event: EventInput } | PairAction)[]; create: PulledContact[] } {
  const actions: ({ kind: "record"; event: EventInput } | PairAction)[] = [];
  const create: PulledContact[] = [];
  const used = new Set(taken);
  for (const item of items) {
    const person = pairs.get(item.id);
    // (Two contacts of one listing never pair with one person: one pair per person.)
    if (!person || !person.editable || person.deletedAt || person.ownerId !== ctx.userId || used.has(person.id)) {
      create.push(item);
      continue;
    }
    used.add(person.id);
    // The CRM's values as the CRM holds them (labels the provider cannot keep are kept here).
    const crm = ctx.crmValues(person);
    const { merged, filled, differ } = firstMerge(crm, item.contact);
    const about = { personId: person.id, providerId: item.id };
    const label = contactLabel(merged);
    actions.push({ kind: "record", event: { ...about, kind: "linked", side: "crm", label, changes: fieldChanges(crm, merged, filled) } });
    for (const d of differ) {
      actions.push({
        kind: "record",
        event: {
          ...about,
          kind: "conflict",
          side: "provider",
          label,
          changes: [{ field: d.field, old: d.provider, new: d.crm }],
          detail: { crm: d.crm, provider: d.provider, winner: "crm", rule: "first sync: the CRM's value is kept" },
        },
      });
    }
    actions.push({
      kind: "pair",
      item,
      person: { id: person.id, version: person.version, customFields: person.customFields, organizationId: person.organizationId },
      merged,
      filled,
      providerLacks: ctx.direction === "two_way" && changedFields(item.contact, ctx.project(merged)).length > 0,
    });
  }
  return { actions, create };
}
