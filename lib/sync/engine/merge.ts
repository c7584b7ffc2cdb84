// A pulled contact that is linked to a person: a field-level three-way merge against the link's
// base (plan.ts decides), written to the person and the link in the page's transaction.
import type { Tx } from "@/db/client";
import { updatePersonValues } from "@/db/queries/person-writes";
import type { PersonForSync } from "@/db/queries/sync/persons";
import * as links from "@/db/queries/sync/links";
import { changedFields } from "../model/contact";
import { contactToPersonColumns } from "./crm-side";
import { decideCrmGone, mergeContact } from "../model/plan";
import type { PulledContact } from "../model/provider";
import type { Run } from "./context";
import { contactLabel, fieldChanges } from "./run-log";

export async function reconcileLinked(run: Run, tx: Tx, link: links.LinkedLink, person: PersonForSync | null, item: PulledContact): Promise<void> {
  const base = link.base;
  const provider = item.contact;
  const direction = run.conn.direction;

  if (!person || person.deletedAt) {
    // Deleted in the CRM. Two-way: the push deletes it at the provider (delete wins). One-way:
    // the person stays deleted; the link keeps it from coming back.
    const decision = decideCrmGone({ base, provider, direction });
    if (decision.action === "delete_at_provider" && decision.lostEdit) {
      run.log.record({
        personId: link.personId,
        providerId: item.id,
        kind: "conflict",
        side: "provider",
        label: contactLabel(provider),
        changes: fieldChanges(base, provider),
        detail: { rule: "delete wins", deletedOn: "crm" },
      });
    }
    await links.rebase(tx, link.id, { etag: item.etag, base: provider });
    return;
  }

  if (item.etag === link.etag && changedFields(base, provider).length === 0) return; // replay or own write

  if (!person.editable) {
    // The user may no longer edit this person (reassigned, or its visibility changed): it is
    // left alone, and so is the link, so the change still applies if the person comes back.
    run.log.record({
      personId: person.id,
      providerId: item.id,
      kind: "skipped",
      side: "crm",
      label: contactLabel(provider),
      changes: fieldChanges(base, provider),
      detail: { reason: "not_editable" },
    });
    return;
  }

  const crm = run.crmContact(person);
  const merge = mergeContact({ base, crm, provider, direction });

  for (const c of merge.conflicts) {
    run.log.record({
      personId: person.id,
      providerId: item.id,
      kind: "conflict",
      side: c.winner === "crm" ? "provider" : "crm",
      label: contactLabel(merge.merged),
      changes: [{ field: c.field, old: c.base, new: c.winner === "crm" ? c.crm : c.provider }],
      detail: { base: c.base, crm: c.crm, provider: c.provider, winner: c.winner, rule: c.winner === "crm" ? "CRM wins (two-way)" : "provider wins (one-way)" },
    });
  }

  let version = person.version;
  if (merge.crmFields.length > 0) {
    const organizationId = merge.crmFields.includes("organization") ? await run.crm.orgs.resolve(tx, merge.merged.organization) : person.organizationId;
    const updated = await updatePersonValues(tx, run.actor, {
      id: person.id,
      version: person.version,
      values: contactToPersonColumns(merge.merged, run.crm.fieldIds, person.customFields, organizationId),
    });
    if (updated === null) throw new Error("person changed during the run; it will be merged on the next run");
    version = updated;
    run.log.record({
      personId: person.id,
      providerId: item.id,
      kind: "updated",
      side: "crm",
      label: contactLabel(merge.merged),
      changes: fieldChanges(crm, merge.merged, merge.crmFields),
    });
  }
  // The base is what the provider holds, always: a CRM change the provider does not have yet
  // stays a CRM change (never a provider change that would undo it on a later pull). When the
  // push may send it (two-way, a person the user owns), no crmVersion makes the push phase
  // send the difference; otherwise it stays in the CRM only, and a later edit of the same field
  // at the provider is a conflict decided by the stated rule.
  const sendable = merge.providerFields.length > 0 && person.ownerId === run.conn.userId;
  await links.rebase(tx, link.id, { etag: item.etag, base: provider, crmVersion: sendable ? null : version });
}
