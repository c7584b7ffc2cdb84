// A first sync's preview: before anything is written, the group's contacts are listed, staged
// (sync_preview_contacts) and paired with the persons the user already has (matching.ts), so
// the user sees what the first run will do — link, create, or wait for their choice — and can
// change it. The first run then applies exactly the staged decisions (engine/link.ts) and drops
// the preview.
//
// The candidates are found by the database (a join over e-mails, phones and names), never by
// comparing every contact with every person in memory.
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import { insertMany } from "@/db/bulk";
import type { Actor } from "@/db/queries/person-writes";
import { findMatchCandidates, getPersonsForSync, type MatchBy } from "@/db/queries/sync/persons";
import { syncPreviewContacts, type PreviewDecision, type SyncConnection } from "@/db/schema";
import { NotFoundError, UserError } from "@/lib/errors";
import { normalizeContact, type Contact, type ContactField } from "../model/contact";
import { personToContact, type SyncFieldIds } from "../engine/crm-side";
import { firstMerge } from "./merge";
import { contactLabel } from "../engine/run-log";
import { pairContacts } from "./matching";
import type { ContactReader } from "../model/provider";

export type PreviewSummary = Record<PreviewDecision, number>;

/** Rows per insert statement while staging (one JSON parameter each). */
const STAGE_CHUNK = 5_000;

/** Lists the whole group, stages it and pairs it with the user's persons, replacing any earlier
 * preview of the connection. The listing is read first; the staging and pairing are one
 * transaction, so a preview is never seen half made. */
export async function buildPreview(db: DB, actor: Actor, conn: SyncConnection, adapter: ContactReader): Promise<PreviewSummary> {
  const listed = new Map<string, Contact>();
  await adapter.pull(null, async (page) => {
    for (const item of page.items) {
      if (item.deleted || !item.inScope) listed.delete(item.id);
      else listed.set(item.id, item.contact);
    }
  });
  return db.transaction(async (tx) => {
    // (A server would compile the candidate query to machine code, at half a second's cost, for
    // a statement that runs once.)
    await tx.execute(sql`set local jit = off`);
    return stagePreview(tx, actor, conn.id, listed);
  });
}

/** Stages the listed contacts (provider id → contact) as the connection's preview, each paired
 * with a person of the actor's or to be created. Run it in a transaction. */
export async function stagePreview(tx: DB | Tx, actor: Actor, connectionId: string, listed: ReadonlyMap<string, Contact>): Promise<PreviewSummary> {
  const rows = [...listed].map(([providerId, contact]) => ({
    connectionId,
    providerId,
    contact,
    label: contactLabel(contact),
    decision: "create" as const,
  }));
  await tx.delete(syncPreviewContacts).where(eq(syncPreviewContacts.connectionId, connectionId));
  for (let i = 0; i < rows.length; i += STAGE_CHUNK) await insertMany(tx, syncPreviewContacts, rows.slice(i, i + STAGE_CHUNK));
  const pairs = pairContacts(await findMatchCandidates(tx, actor, connectionId));
  const decided = [...pairs].map(([providerId, p]) =>
    p.decision === "link"
      ? { provider_id: providerId, decision: "link", person_id: p.personId, candidates: [p.personId], by: p.by }
      : { provider_id: providerId, decision: "choose", person_id: null, candidates: p.candidates, by: p.by },
  );
  if (decided.length > 0) {
    await tx.execute(sql`update sync_preview_contacts s
      set decision = v.decision, person_id = v.person_id, candidates = v.candidates, matched_by = v.by
      from json_to_recordset(${JSON.stringify(decided)}::json) as v(provider_id text, decision text, person_id uuid, candidates jsonb, by text)
      where s.connection_id = ${connectionId} and s.provider_id = v.provider_id`);
  }
  const summary: PreviewSummary = { link: 0, create: rows.length - decided.length, choose: 0 };
  for (const d of decided) summary[d.decision as "link" | "choose"]++;
  return summary;
}

export async function previewSummary(db: DB, connectionId: string): Promise<PreviewSummary> {
  const rows = await db
    .select({ decision: syncPreviewContacts.decision, n: count() })
    .from(syncPreviewContacts)
    .where(eq(syncPreviewContacts.connectionId, connectionId))
    .groupBy(syncPreviewContacts.decision);
  const summary: PreviewSummary = { link: 0, create: 0, choose: 0 };
  for (const r of rows) summary[r.decision] = Number(r.n);
  return summary;
}

export type PreviewPerson = { id: string; name: string; emails: string[]; phones: string[] };

export type PreviewRow = {
  providerId: string;
  label: string;
  decision: PreviewDecision;
  matchedBy: MatchBy | null;
  /** What the contact holds (for tied contacts, so the user can tell them apart). */
  contact: { emails: string[]; phones: string[] };
  /** The person it will be linked to (decision "link"). */
  person: PreviewPerson | null;
  /** The persons to choose from (decision "choose"), or to pair again with after an unpair. */
  candidates: PreviewPerson[];
  /** Decision "link": the fields the first merge fills in the person, with the values it adds. */
  filled: { field: ContactField; value: string }[];
  /** Decision "link": single-value fields that differ; the CRM's value is kept. */
  differ: { field: ContactField; crm: string; provider: string }[];
};

export type PreviewPage = { rows: PreviewRow[]; total: number };

export const PREVIEW_PAGE_SIZE = 25;

const shown = (value: unknown): string =>
  Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : (v as { value: string }).value)).join(", ") : String(value ?? "");

/** One page of the preview's rows with one decision, in label order, with what the first merge
 * would do to each pair. The persons are read as the actor may see them. */
export async function listPreview(
  db: DB,
  actor: Actor,
  connectionId: string,
  crm: { fieldIds: SyncFieldIds; defaultCountry: string },
  opts: { decision: PreviewDecision; page: number },
): Promise<PreviewPage> {
  const where = and(eq(syncPreviewContacts.connectionId, connectionId), eq(syncPreviewContacts.decision, opts.decision));
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(syncPreviewContacts)
      .where(where)
      .orderBy(asc(syncPreviewContacts.label), asc(syncPreviewContacts.providerId))
      .limit(PREVIEW_PAGE_SIZE)
      .offset(Math.max(0, opts.page - 1) * PREVIEW_PAGE_SIZE),
    db.select({ n: count() }).from(syncPreviewContacts).where(where),
  ]);
  const people = await getPersonsForSync(
    db,
    actor,
    rows.flatMap((r) => r.candidates),
  );
  const asPreviewPerson = (id: string): PreviewPerson | null => {
    const p = people.get(id);
    if (!p || !p.editable) return null;
    return { id, name: `${p.firstName} ${p.lastName}`.trim() || p.emails[0]?.value || "(no name)", emails: p.emails.map((e) => e.value), phones: p.phones.map((e) => e.value) };
  };
  return {
    total: Number(total?.n ?? 0),
    rows: rows.map((r) => {
      const contact = r.contact as Contact;
      const person = r.decision === "link" && r.personId ? asPreviewPerson(r.personId) : null;
      let filled: PreviewRow["filled"] = [];
      let differ: PreviewRow["differ"] = [];
      const p = r.personId ? people.get(r.personId) : undefined;
      if (person && p) {
        const merge = firstMerge(normalizeContact(personToContact(p, crm.fieldIds), crm.defaultCountry), contact);
        filled = merge.filled.map((field) => ({ field, value: shown(merge.merged[field]) }));
        differ = merge.differ.map((d) => ({ field: d.field, crm: shown(d.crm), provider: shown(d.provider) }));
      }
      return {
        providerId: r.providerId,
        label: r.label,
        decision: r.decision,
        matchedBy: (r.matchedBy as MatchBy | null) ?? null,
        contact: { emails: contact.emails.map((e) => e.value), phones: contact.phones.map((e) => e.value) },
        person,
        candidates: r.candidates.flatMap((id) => asPreviewPerson(id) ?? []),
        filled,
        differ,
      };
    }),
  };
}

/** The user's decision for one contact of the preview: link it to one of its candidates, or
 * create it as a new person (unpair). One person pairs with one contact at most. */
export async function decidePreviewContact(db: DB, connectionId: string, providerId: string, personId: string | null): Promise<void> {
  const [row] = await db
    .select()
    .from(syncPreviewContacts)
    .where(and(eq(syncPreviewContacts.connectionId, connectionId), eq(syncPreviewContacts.providerId, providerId)));
  if (!row) throw new NotFoundError("previewContact");
  if (personId === null) {
    await db.update(syncPreviewContacts).set({ decision: "create", personId: null }).where(eq(syncPreviewContacts.id, row.id));
    return;
  }
  if (!row.candidates.includes(personId)) throw new UserError("preview.notACandidate");
  const [other] = await db
    .select({ label: syncPreviewContacts.label })
    .from(syncPreviewContacts)
    .where(and(eq(syncPreviewContacts.connectionId, connectionId), eq(syncPreviewContacts.decision, "link"), eq(syncPreviewContacts.personId, personId)));
  if (other && row.personId !== personId) {
    throw new UserError("preview.alreadyPaired", { values: { label: other.label } });
  }
  try {
    await db.update(syncPreviewContacts).set({ decision: "link", personId }).where(eq(syncPreviewContacts.id, row.id));
  } catch (error) {
    // Two answers at once for one person: the unique index keeps the second out.
    if (isUniqueViolation(error)) throw new UserError("preview.justPaired");
    throw error;
  }
}

export async function dropPreview(db: DB | Tx, connectionId: string): Promise<void> {
  await db.delete(syncPreviewContacts).where(eq(syncPreviewContacts.connectionId, connectionId));
}

/** Postgres's unique_violation, as the driver reports it (drizzle wraps it as the cause). */
function isUniqueViolation(error: unknown): boolean {
  const code = (e: unknown) => (e as { code?: unknown } | null)?.code;
  return code(error) === "23505" || code((error as { cause?: unknown } | null)?.cause) === "23505";
}
