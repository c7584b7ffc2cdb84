// Every write of a planned page (plan-page.ts), in the page's transaction: links re-keyed and
// adopted, persons merged, paired and created, links marked gone or seen, and the events
// recorded. Persons are written for the connection's user, bound by the visibility rule like any
// other writer; a person changed since the page read it fails the page (the next run merges it).
import type { Tx } from "@/db/client";
import { insertPersons, updateManyPersonValues, updatePersonValues } from "@/db/queries/person-writes";
import * as links from "@/db/queries/sync/links";
import type { GoneReason } from "@/db/schema";
import { EMPTY_CONTACT } from "../model/contact";
import type { PairAction } from "../first-sync/link";
import type { Run } from "./context";
import { contactToPersonColumns } from "./crm-side";
import type { PageAction } from "./plan-page";
import { contactLabel, fieldChanges } from "./run-log";

type Of<K extends PageAction["kind"]> = Extract<PageAction, { kind: K }>;

/** `listedAt`: the start of the full listing the page belongs to (null: an incremental one). */
export async function applyPlan(run: Run, tx: Tx, actions: PageAction[], listedAt: Date | null): Promise<void> {
  const pairs: PairAction[] = [];
  const creates: Of<"create">[] = [];
  const gone = new Map<string, GoneReason>();
  const seen: string[] = [];
  for (const action of actions) {
    switch (action.kind) {
      case "rekey":
        await links.rekey(tx, action.linkId, action.providerId);
        break;
      case "adopt":
        await links.adopt(tx, action.linkId, action.providerId);
        break;
      case "rebase":
        await links.rebase(tx, action.linkId, { etag: action.etag, base: action.base });
        break;
      case "merge":
        await merge(run, tx, action);
        break;
      case "record":
        run.log.record(action.event);
        break;
      case "pair":
        pairs.push(action);
        break;
      case "create":
        creates.push(action);
        break;
      case "gone":
        gone.set(action.linkId, action.reason);
        break;
      case "seen":
        seen.push(action.linkId);
        break;
    }
  }
  await pair(run, tx, pairs, listedAt);
  await create(run, tx, creates, listedAt);
  await links.markGone(tx, gone);
  await links.markSeen(tx, seen, listedAt);
}

async function merge(run: Run, tx: Tx, m: Of<"merge">): Promise<void> {
  let version = m.person.version;
  if (m.crmFields.length > 0) {
    const organizationId = m.crmFields.includes("organization") ? await run.crm.orgs.resolve(tx, m.merged.organization) : m.person.organizationId;
    const updated = await updatePersonValues(tx, run.actor, {
      id: m.person.id,
      version: m.person.version,
      values: contactToPersonColumns(m.merged, run.crm.fieldIds, m.person.customFields, organizationId),
    });
    if (updated === null) throw new Error("person changed during the run; it will be merged on the next run");
    version = updated;
  }
  await links.rebase(tx, m.linkId, { etag: m.etag, base: m.base, crmVersion: m.sendable ? null : version });
}

/** The page's paired persons are saved in one statement, and their links in another. */
async function pair(run: Run, tx: Tx, pairs: PairAction[], listedAt: Date | null): Promise<void> {
  if (pairs.length === 0) return;
  const changes = [];
  for (const p of pairs.filter((p) => p.filled.length > 0)) {
    const organizationId = p.filled.includes("organization") ? await run.crm.orgs.resolve(tx, p.merged.organization) : p.person.organizationId;
    changes.push({ id: p.person.id, version: p.person.version, values: contactToPersonColumns(p.merged, run.crm.fieldIds, p.person.customFields, organizationId) });
  }
  const saved = await updateManyPersonValues(tx, run.actor, changes);
  if (saved.size < changes.length) throw new Error("a person changed during the run; it will be linked on the next run");
  await links.insertLinked(
    tx,
    run.conn.id,
    pairs.map((p) => ({
      personId: p.person.id,
      providerId: p.item.id,
      etag: p.item.etag,
      base: p.item.contact,
      crmVersion: p.providerLacks ? null : (saved.get(p.person.id) ?? p.person.version),
      photoUrl: p.item.photoUrl ?? null,
    })),
    listedAt,
  );
}

/** New contacts become persons of the connection's user, with the connection's visibility: one
 * statement for the page's persons, one for their links. */
async function create(run: Run, tx: Tx, creates: Of<"create">[], listedAt: Date | null): Promise<void> {
  if (creates.length === 0) return;
  const { conn } = run;
  const items = creates.map((c) => c.item);
  const rows = [];
  for (const item of items) {
    const organizationId = await run.crm.orgs.resolve(tx, item.contact.organization);
    rows.push({ ownerId: conn.userId, visibility: conn.visibility, ...contactToPersonColumns(item.contact, run.crm.fieldIds, {}, organizationId) });
  }
  const personIds = await insertPersons(tx, run.actor, rows);
  await links.insertLinked(
    tx,
    conn.id,
    items.map((item, i) => ({ personId: personIds[i]!, providerId: item.id, etag: item.etag, base: item.contact, crmVersion: 1, photoUrl: item.photoUrl ?? null })),
    listedAt,
  );
  items.forEach((item, i) =>
    run.log.record({ personId: personIds[i]!, providerId: item.id, kind: "added", side: "crm", label: contactLabel(item.contact), changes: fieldChanges(EMPTY_CONTACT, item.contact) }),
  );
}
