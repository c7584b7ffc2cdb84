/**
 * contactFolders/{id}/contacts/delta (and the undocumented /me/contacts/delta
 * for the default folder).
 *
 * - The first call records `$select`; later pages and rounds carry it inside
 *   the opaque `$skiptoken` / `$deltatoken`, so clients follow the absolute
 *   `@odata.nextLink` / `@odata.deltaLink` verbatim.
 * - `Prefer: odata.maxpagesize=N` is honoured on every request (the page
 *   size is not remembered in the token, as the Graph client does not
 *   resend the header by itself).
 * - Initial rounds list live contacts; later rounds list created/updated
 *   contacts and deletions as `{"@odata.type", id, "@removed": {reason}}`.
 * - Forced or aged-out tokens → 410 SyncStateNotFound.
 * Pages walk the folder's change log from a sequence number: O(page).
 */
import { jsonReply, type Reply } from "../shared/http";
import { parseSelect, type ContactProperty } from "./contact-model";
import { resolveFolder } from "./contacts";
import { graphBase, type GraphContext } from "./context";
import { badRequest, syncStateNotFound } from "./errors";
import { preferredPageSize } from "./odata";

interface DeltaToken {
  /** "s" = $skiptoken (mid-round), "d" = $deltatoken (start of the next round). */
  k: "s" | "d";
  a: string;
  f: string;
  /** Sequence cursor: entries after it are still to be returned. */
  c: number;
  /** Whether this round is incremental (tombstones included). */
  inc: boolean;
  sel: ContactProperty[] | null;
  g: number;
  i: number;
}

function isDeltaToken(v: unknown): v is DeltaToken {
  if (typeof v !== "object" || v === null) return false;
  const t = v as Partial<DeltaToken>;
  return (t.k === "s" || t.k === "d") && typeof t.a === "string" && typeof t.f === "string" && typeof t.c === "number" && typeof t.g === "number" && typeof t.i === "number";
}

export function contactsDelta(ctx: GraphContext): Reply {
  const { req, state, mailbox } = ctx;
  const folder = resolveFolder(mailbox, ctx.params[0]);
  const q = req.query;
  const skipToken = q.get("$skiptoken");
  const deltaTokenParam = q.get("$deltatoken");
  let token: DeltaToken | null = null;
  const raw = skipToken ?? deltaTokenParam;
  if (raw !== null) {
    const opened = state.sealer.open(raw);
    // Tokens this instance cannot read (e.g. issued before a restart) are lost sync state, as on Graph.
    if (!isDeltaToken(opened)) throw syncStateNotFound();
    if (opened.a !== mailbox.userId || opened.f !== folder.id || (skipToken !== null) !== (opened.k === "s")) throw badRequest("The delta token does not belong to this resource.");
    const maxAge = state.config.deltaTokenMaxAgeMs;
    if (opened.g < state.faults.syncGeneration() || (maxAge !== null && state.clock.now() - opened.i > maxAge)) throw syncStateNotFound();
    token = opened;
  } else {
    for (const unsupported of ["$filter", "$orderby", "$expand", "$search", "$skip"]) {
      if (q.has(unsupported)) throw badRequest(`The query parameter '${unsupported}' is not supported with delta.`);
    }
  }
  const select = token ? token.sel : parseSelect(q.get("$select"));
  const incremental = token ? token.inc || token.k === "d" : false;
  const pageSize = Math.min(preferredPageSize(req.headers) ?? (token === null ? Number(q.get("$top") ?? "") || state.config.deltaDefaultPageSize : state.config.deltaDefaultPageSize), state.config.maxPageSize);
  const log = mailbox.folderLog(folder.id);
  const after = token?.c ?? 0;
  const upper = mailbox.currentSeq();

  const value: Record<string, unknown>[] = [];
  const seqs: number[] = [];
  let more = false;
  for (const entry of log?.ascending(after, upper) ?? []) {
    const contact = mailbox.contacts.get(entry.key);
    if (!contact || (contact.deleted && !incremental)) continue;
    if (value.length === pageSize) {
      more = true;
      break;
    }
    value.push(contact.deleted ? { "@odata.type": "#microsoft.graph.contact", id: contact.id, "@removed": { reason: "deleted" } } : { "@odata.type": "#microsoft.graph.contact", ...mailbox.render(contact, select) });
    seqs.push(entry.seq);
  }

  const base = `${graphBase(state)}/me/contactFolders('${folder.id}')/contacts/delta`;
  const roundStart = token?.i ?? state.clock.now();
  const body: Record<string, unknown> = { "@odata.context": `${graphBase(state)}/$metadata#Collection(contact)` };
  if (more) {
    const last = seqs[seqs.length - 1] ?? after;
    // Optional replay: the next page starts again with this page's last item.
    const cursor = state.config.deltaReplay && seqs.length > 1 ? (seqs[seqs.length - 2] ?? last) : last;
    const next: DeltaToken = { k: "s", a: mailbox.userId, f: folder.id, c: cursor, inc: incremental, sel: select, g: state.faults.syncGeneration(), i: roundStart };
    body["@odata.nextLink"] = `${base}?$skiptoken=${state.sealer.seal(next)}`;
  } else {
    const next: DeltaToken = { k: "d", a: mailbox.userId, f: folder.id, c: Math.max(upper, after), inc: true, sel: select, g: state.faults.syncGeneration(), i: state.clock.now() };
    body["@odata.deltaLink"] = `${base}?$deltatoken=${state.sealer.seal(next)}`;
  }
  body["value"] = value;
  const headers: Record<string, string> = {};
  if (preferredPageSize(req.headers) !== null) headers["preference-applied"] = `odata.maxpagesize=${pageSize}`;
  return jsonReply(200, body, headers);
}
