// Push (two-way only): what changed in the CRM goes to the provider — updates and deletions of
// linked persons the user owns, then persons the user created since the last push. Only persons
// the user owns are ever sent (the product's rule for two-way sync).
//
// Every kind goes through pushBatches: a batch is sent, then its results are saved (new bases,
// links, events) in one transaction. A crash between the two is safe: an update or delete is
// seen again next run (the provider already matches, so nothing is written twice), and a create
// was recorded as an intent first (adopt.ts).
import { giveWay, type Tx } from "@/db/client";
import * as links from "@/db/queries/sync/links";
import { listChangedOwnedLinks, listNewOwnedPersons, listRequestedCreates, type PersonForSync } from "@/db/queries/sync/persons";
import { changedFields, EMPTY_CONTACT, type Contact } from "../model/contact";
import { holdUnadoptedIntents } from "./adopt";
import type { Run } from "./context";
import { contactLabel, fieldChanges } from "./run-log";

export const PUSH_BATCH = 200;

/** Sends items to the provider in batches and saves each batch's results in one transaction. */
async function pushBatches<T, R>(
  run: Run,
  items: T[],
  steps: { before?: (batch: T[]) => Promise<void>; send: (batch: T[]) => Promise<R[]>; save: (tx: Tx, batch: T[], results: R[]) => Promise<void> },
): Promise<void> {
  for (let i = 0; i < items.length; i += PUSH_BATCH) {
    const batch = items.slice(i, i + PUSH_BATCH);
    await steps.before?.(batch);
    const results = await steps.send(batch);
    await run.fault("after-provider-write");
    // (On the embedded database, the pages being served go first.)
    await giveWay(run.db);
    await run.db.transaction(async (tx) => {
      await steps.save(tx, batch, results);
      await run.failures.flush(tx, run.hadFailures);
      await run.log.flush(tx);
    });
    await run.heartbeat();
  }
}

type Linked = { link: links.LinkedLink; person: PersonForSync };

export async function push(run: Run): Promise<void> {
  const { db, conn } = run;
  const updates: (Linked & { contact: Contact })[] = [];
  const deletes: Linked[] = [];
  for (const row of await listChangedOwnedLinks(db, run.actor, conn.id)) {
    if (row.person.deletedAt) {
      deletes.push(row);
      continue;
    }
    const contact = run.crmContact(row.person);
    if (changedFields(row.link.base, contact).length === 0) {
      await links.markInStep(db, row.link.id, row.person.version);
    } else {
      updates.push({ ...row, contact });
    }
  }
  await pushUpdates(run, updates);
  await pushDeletes(run, deletes);
  await holdUnadoptedIntents(run);
  // (A requested person has a link and new persons have none; but a refused create retried may
  // also be new since the watermark, when it was created while the run that tried it ran.)
  const requested = run.hadRequests || run.hadFailures ? await listRequestedCreates(db, run.actor, conn.id) : [];
  const asked = new Set(requested.map((p) => p.id));
  const fresh = (await listNewOwnedPersons(db, run.actor, conn.id, conn.pushWatermark)).filter((p) => !asked.has(p.id));
  await pushCreates(run, [...requested, ...fresh]);
  // Requests for persons that can no longer be sent (deleted, or no longer the user's) lapse.
  if (run.hadRequests) await links.dropRequests(db, conn.id);
  // (The run then moves the push watermark to its start, with its outcome: run.ts.)
}

function pushUpdates(run: Run, updates: (Linked & { contact: Contact })[]): Promise<void> {
  return pushBatches(run, updates, {
    send: (batch) => run.adapter.update(batch.map((u) => ({ id: u.link.providerId, etag: u.link.etag, contact: u.contact, base: u.link.base }))),
    async save(tx, batch, results) {
      // The new bases of the batch's links in one statement (one JSON parameter).
      await links.rebaseWritten(
        tx,
        batch.flatMap((u, k) => {
          const r = results[k]!;
          return r.ok ? [{ id: u.link.id, etag: r.etag, base: r.contact, version: u.person.version }] : [];
        }),
      );
      for (const [k, u] of batch.entries()) {
        const r = results[k]!;
        const about = { personId: u.person.id, providerId: u.link.providerId, side: "provider" as const, label: contactLabel(u.contact) };
        if (r.ok) {
          run.log.record({ ...about, kind: "updated", changes: fieldChanges(u.link.base, r.contact) });
          run.failures.succeededFor(u.person.id);
        } else if (r.error === "rejected") {
          run.log.record({ ...about, kind: "error", detail: { message: r.message } });
          run.failures.refused({ personId: u.person.id, providerId: u.link.providerId, operation: "update", label: about.label, reason: r.message, cause: r.cause, personVersion: u.person.version });
        }
        // conflict / not_found: the provider changed meanwhile; the next pull merges it.
      }
    },
  });
}

function pushDeletes(run: Run, deletes: Linked[]): Promise<void> {
  return pushBatches(run, deletes, {
    send: (batch) => run.adapter.delete(batch.map((d) => ({ id: d.link.providerId, etag: d.link.etag }))),
    async save(tx, batch, results) {
      for (const [k, d] of batch.entries()) {
        const r = results[k]!;
        const about = { personId: d.person.id, providerId: d.link.providerId, side: "provider" as const, label: contactLabel(d.link.base) };
        if (r.ok || r.error === "not_found") {
          await links.unlink(tx, [d.link.id]);
          if (r.ok) run.log.record({ ...about, kind: "deleted" });
          run.failures.succeededFor(d.person.id);
        } else if (r.error === "conflict") {
          // Changed at the provider meanwhile: the next pull reads it, and the deletion goes again.
        } else if (r.error === "rejected") {
          run.log.record({ ...about, kind: "error", detail: { message: r.message } });
          run.failures.refused({ personId: d.person.id, providerId: d.link.providerId, operation: "delete", label: about.label, reason: r.message, cause: r.cause, personVersion: d.person.version });
        }
      }
    },
  });
}

/** Persons the user created in the CRM since the last push (not from any address book), and
 * those the user asked to be (re)created. */
function pushCreates(run: Run, persons: PersonForSync[]): Promise<void> {
  const { conn } = run;
  const items = persons.map((person) => ({ person, contact: run.crmContact(person) }));
  return pushBatches(run, items, {
    // The intent first (in place of a request, if any): after a crash past the create call, the
    // next pull adopts the contact.
    before: (batch) =>
      run.db.transaction((tx) => links.reserveCreates(tx, conn.id, batch.map((b) => ({ personId: b.person.id, contact: b.contact, version: b.person.version })))),
    send: (batch) => run.adapter.create(batch.map((b) => ({ contact: b.contact, stamp: b.person.id }))),
    async save(tx, batch, results) {
      for (const [k, b] of batch.entries()) {
        const r = results[k]!;
        if (r.ok) {
          await links.confirmCreate(tx, conn.id, b.person.id, { providerId: r.id, etag: r.etag, base: r.contact });
          run.log.record({ personId: b.person.id, providerId: r.id, kind: "added", side: "provider", label: contactLabel(b.contact), changes: fieldChanges(EMPTY_CONTACT, r.contact) });
          run.failures.succeededFor(b.person.id);
        } else {
          await links.abandonCreate(tx, conn.id, b.person.id);
          const label = contactLabel(b.contact);
          run.log.record({ personId: b.person.id, kind: "error", side: "provider", label, detail: { message: r.message } });
          // Not lost: it waits in "Needs attention" and is tried again (failures.ts).
          run.failures.refused({ personId: b.person.id, providerId: null, operation: "create", label, reason: r.message, cause: r.error === "rejected" ? r.cause : undefined, personVersion: b.person.version });
        }
      }
    },
  });
}
