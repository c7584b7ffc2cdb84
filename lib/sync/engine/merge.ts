// A pulled contact that is linked to a person, decided: a field-level three-way merge against
// the link's base (model/plan.ts states the rules), with the events that explain it. Pure; the
// writes are apply-page.ts's.
import type { LinkedLink } from "@/db/queries/sync/links";
import type { PersonForSync } from "@/db/queries/sync/persons";
import { changedFields } from "../model/contact";
import { decideCrmGone, mergeContact } from "../model/plan";
import type { PulledContact } from "../model/provider";
import type { PageAction, PlanContext } from "./plan-page";
import { contactLabel, fieldChanges } from "./run-log";

export function planLinked(ctx: PlanContext, link: LinkedLink, person: PersonForSync | null, item: PulledContact): PageAction[] {
  const base = link.base;
  const provider = item.contact;
  const about = { personId: link.personId, providerId: item.id };

  if (!person || person.deletedAt) {
    // Deleted in the CRM. Two-way: the push deletes it at the provider (delete wins). One-way:
    // the person stays deleted; the link keeps it from coming back.
    const decision = decideCrmGone({ base, provider, direction: ctx.direction });
    const lost: PageAction[] =
      decision.action === "delete_at_provider" && decision.lostEdit
        ? [
            {
              kind: "record",
              event: { ...about, kind: "conflict", side: "provider", label: contactLabel(provider), changes: fieldChanges(base, provider), detail: { rule: "delete wins", deletedOn: "crm" } },
            },
          ]
        : [];
    return [...lost, { kind: "rebase", linkId: link.id, etag: item.etag, base: provider }];
  }

  if (item.etag === link.etag && changedFields(base, provider).length === 0) return []; // replay or own write

  if (!person.editable) {
    // The user may no longer edit this person (reassigned, or its visibility changed): it is
    // left alone, and so is the link, so the change still applies if the person comes back.
    return [
      {
        kind: "record",
        event: { ...about, kind: "skipped", side: "crm", label: contactLabel(provider), changes: fieldChanges(base, provider), detail: { reason: "not_editable" } },
      },
    ];
  }

  const crm = ctx.crmContact(person);
  const merge = mergeContact({ base, crm, provider, direction: ctx.direction });
  const actions: PageAction[] = merge.conflicts.map((c) => ({
    kind: "record",
    event: {
      ...about,
      kind: "conflict",
      side: c.winner === "crm" ? "provider" : "crm",
      label: contactLabel(merge.merged),
      changes: [{ field: c.field, old: c.base, new: c.winner === "crm" ? c.crm : c.provider }],
      detail: { base: c.base, crm: c.crm, provider: c.provider, winner: c.winner, rule: c.winner === "crm" ? "CRM wins (two-way)" : "provider wins (one-way)" },
    },
  }));
  // The base is what the provider holds, always: a CRM change the provider does not have yet
  // stays a CRM change (never a provider change that would undo it on a later pull). When the
  // push may send it (two-way, a person the user owns), the link waits to be sent; otherwise it
  // stays in the CRM only, and a later edit of the same field at the provider is a conflict
  // decided by the stated rule.
  actions.push({
    kind: "merge",
    linkId: link.id,
    person: { id: person.id, version: person.version, customFields: person.customFields, organizationId: person.organizationId },
    merged: merge.merged,
    crmFields: merge.crmFields,
    etag: item.etag,
    base: provider,
    sendable: merge.providerFields.length > 0 && person.ownerId === ctx.userId,
  });
  if (merge.crmFields.length > 0) {
    actions.push({
      kind: "record",
      event: { ...about, kind: "updated", side: "crm", label: contactLabel(merge.merged), changes: fieldChanges(crm, merge.merged, merge.crmFields) },
    });
  }
  return actions;
}
