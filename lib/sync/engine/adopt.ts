// Creates at the provider are recorded as intents first: a link in state "pending_create"
// (db/queries/sync/links.ts), written before the create call. A crash between the call and the
// link's save leaves the intent, and the next run adopts the contact it created instead of
// importing it as a new person (which would duplicate it on both sides): here before the pull,
// for providers that can be asked; by the pull's pages otherwise (plan-page.ts). An intent the
// provider does not show after the pull is not created again: the create may have happened and
// been deleted there since (delete wins), or never have happened — only the user can tell, so it
// waits for them ("unconfirmed").
import * as links from "@/db/queries/sync/links";
import type { Run } from "./context";

/** After a crash cut creates short: asks providers whose listings do not carry our stamp which
 * pending creates exist, and links them before the pull (the pull then merges any edit made
 * to them since, against the content we wrote). */
export async function adoptStampedCreates(run: Run): Promise<void> {
  const pending = run.hadIntents ? await links.pendingCreates(run.db, run.conn.id) : [];
  run.pendingCreates = pending;
  if (pending.length === 0 || !run.adapter.findCreated) return;
  const found = await run.adapter.findCreated(pending.map((l) => l.personId));
  for (const link of pending) {
    const providerId = found.get(link.personId);
    if (providerId) await links.adopt(run.db, link.id, providerId);
  }
  run.pendingCreates = pending.filter((l) => !found.has(l.personId));
}

/** Intents a crash left that the pull did not find at the provider wait for the user's answer
 * (dashboard: create again, or leave out of sync). */
export async function holdUnadoptedIntents(run: Run): Promise<void> {
  await links.holdUnconfirmed(run.db, run.pendingCreates.map((l) => l.id));
  run.pendingCreates = [];
}
