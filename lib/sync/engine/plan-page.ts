// A pulled page, decided: pure, no I/O. Given the page's contacts and what the database holds
// of them (their links, their persons, the creates a crash cut short, a first sync's pairs), it
// decides what each contact does — re-key or adopt its link, merge into its person, be created,
// be paired with a person the user had, be gone — and what the run log records. apply-page.ts
// then makes every write of the plan in the page's transaction.
import type { LinkedLink, PendingCreate } from "@/db/queries/sync/links";
import type { PersonForSync } from "@/db/queries/sync/persons";
import type { Direction, GoneReason } from "@/db/schema";
import { changedFields, withFieldsOf, type Contact, type ContactField } from "../model/contact";
import type { PulledContact, UnreadableContact } from "../model/provider";
import { planPairs, type PairAction } from "../first-sync/link";
import { planLinked } from "./merge";
import type { EventInput } from "./run-log";

/** What planning needs of the run: the connection's rules and how a person reads as a contact. */
export type PlanContext = {
  direction: Direction;
  /** The connection's user: only the persons they own are sent to the provider. */
  userId: string;
  /** A person as this provider would hold it: normalised, then projected. */
  crmContact: (person: PersonForSync) => Contact;
  /** A person as the CRM holds it, normalised (labels the provider cannot keep are kept). */
  crmValues: (person: PersonForSync) => Contact;
  /** A contact projected onto what the provider can represent. */
  project: (contact: Contact) => Contact;
};

export type PageInput = {
  items: PulledContact[];
  unreadable: UnreadableContact[];
  /** The connection's links to the page's contacts (and to their earlier ids), by provider id. */
  links: Map<string, LinkedLink>;
  /** The connection's creates under way that no contact has been found for yet. */
  pending: PendingCreate[];
  /** The persons of those links and creates, as the engine reads them. */
  persons: Map<string, PersonForSync>;
  /** A previewed first sync: the persons the user paired unlinked contacts with. */
  pairs: Map<string, PersonForSync | null>;
  /** Of those persons, the ones a connection of the user links already. */
  taken: Set<string>;
};

export type PageAction =
  /** The provider gave the contact a new id (Google's previousResourceNames). */
  | { kind: "rekey"; linkId: string; providerId: string }
  /** One of our creates a crash cut short, found: its intent becomes a link to the contact. */
  | { kind: "adopt"; linkId: string; providerId: string }
  /** The link's base becomes what the provider holds; its CRM version is kept. */
  | { kind: "rebase"; linkId: string; etag: string; base: Contact }
  /** A three-way merge: the person takes `crmFields` of `merged` (if any); the link's base
   * becomes what the provider holds, and waits to be sent when `sendable`. */
  | {
      kind: "merge";
      linkId: string;
      person: Pick<PersonForSync, "id" | "version" | "customFields" | "organizationId">;
      merged: Contact;
      crmFields: ContactField[];
      etag: string;
      base: Contact;
      sendable: boolean;
    }
  | PairAction
  /** A new contact: a person of the user, linked to it. */
  | { kind: "create"; item: PulledContact }
  | { kind: "gone"; linkId: string; reason: GoneReason }
  /** Seen alive by the listing (which clears an earlier "gone"). */
  | { kind: "seen"; linkId: string }
  | { kind: "record"; event: EventInput };

export type PagePlan = {
  actions: PageAction[];
  /** The creates under way this page adopted (no longer pending). */
  adopted: string[];
};

export function planPage(ctx: PlanContext, page: PageInput): PagePlan {
  const actions: PageAction[] = [];
  const links = new Map(page.links);
  let pending = page.pending;
  const adopted: string[] = [];
  const creates: PulledContact[] = [];
  const gone = new Map<string, GoneReason>();
  const live = new Set<string>();

  for (const item of page.items) {
    let link = links.get(item.id);
    if (!link) {
      // Re-keyed at the provider: move the link, not the person.
      const previous = item.previousIds?.find((id) => links.has(id));
      if (previous) {
        link = { ...links.get(previous)!, providerId: item.id };
        actions.push({ kind: "rekey", linkId: link.id, providerId: item.id });
        // (The old id is no contact of this link any more, should the page list it too.)
        links.delete(previous);
        links.set(item.id, link);
      }
    }
    if (!link && !item.deleted && item.inScope) {
      // One of our own creates whose link a crash cut short: adopted instead of imported (and
      // merged below with whatever was edited at the provider since).
      const match = adoptable(pending, item);
      if (match) {
        actions.push({ kind: "adopt", linkId: match.id, providerId: item.id });
        adopted.push(match.id);
        pending = pending.filter((l) => l.id !== match.id);
        link = { ...match, state: "linked", providerId: item.id, etag: null };
        links.set(item.id, link);
      }
    }
    if (!link) {
      if (!item.deleted && item.inScope && !creates.some((c) => c.id === item.id)) creates.push(item);
      continue;
    }
    if (item.deleted || !item.inScope) {
      gone.set(link.id, item.deleted ? "deleted_at_provider" : "left_group");
      continue;
    }
    live.add(link.id);
    actions.push(...planLinked(ctx, link, page.persons.get(link.personId) ?? null, withHeldFields(item, link)));
  }
  for (const u of page.unreadable) {
    // Kept as it was (seen, so a full listing does not take it for gone), and reported.
    const link = links.get(u.id);
    if (link) live.add(link.id);
    actions.push({ kind: "record", event: { personId: link?.personId ?? null, kind: "error", side: "provider", label: u.label, detail: { message: u.message } } });
  }
  // A previewed first sync links the contacts paired with persons the user had.
  const { actions: pairActions, create } = planPairs(ctx, creates, page.pairs, page.taken);
  actions.push(...pairActions);
  for (const item of create) actions.push({ kind: "create", item });
  for (const [linkId, reason] of gone) actions.push({ kind: "gone", linkId, reason });
  for (const linkId of live) actions.push({ kind: "seen", linkId });
  return { actions, adopted };
}

/** The create under way an unlinked contact is: by the stamp the provider kept (Google
 * clientData), else by identical content. */
function adoptable(pending: PendingCreate[], item: PulledContact): PendingCreate | undefined {
  if (pending.length === 0) return undefined;
  return (item.stamp ? pending.find((l) => l.personId === item.stamp) : undefined) ?? pending.find((l) => changedFields(l.base, item.contact).length === 0);
}

/** A linked contact with fields over Tandem's limits: for the merge, those fields hold what the
 * provider held before (the link's base), so nothing of them reaches the person, and the push
 * leaves the contact alone until they are shortened (sync_failures "oversize"). */
function withHeldFields(item: PulledContact, link: LinkedLink): PulledContact {
  if (!item.oversize?.length) return item;
  return { ...item, contact: withFieldsOf(item.contact, link.base, item.oversize.map((f) => f.field)) };
}
