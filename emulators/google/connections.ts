/**
 * people.connections.list: full listings, sync tokens and incremental syncs.
 *
 * - Page tokens are bound to the exact parameter set of the first call; a
 *   page request with different parameters is 400 INVALID_ARGUMENT.
 * - LAST_MODIFIED_ASCENDING (and any sync request) walks the account's change
 *   log from a sequence number, so each page is O(page size).
 * - `nextSyncToken` appears only on the last page and only with
 *   requestSyncToken=true; incremental results include deleted contacts as
 *   tombstones (`metadata.deleted: true`).
 * - Sync tokens expire after `syncTokenMaxAgeMs` or when the harness forces
 *   it → 400 FAILED_PRECONDITION with reason EXPIRED_SYNC_TOKEN.
 */
import { createHash, randomBytes } from "node:crypto";
import { jsonReply, type Reply } from "../shared/http";
import { LruMap } from "../shared/lru";
import type { GoogleAccount, StoredPerson } from "./account";
import { boolParam, intParam, sourcesParam, type GoogleApiContext } from "./context";
import { expiredSyncToken, invalidArgument } from "./errors";
import { etagPrefix } from "./etag";
import { parsePersonMask, type PersonField } from "./person-fields";
import { renderPerson, renderTombstone } from "./render";
import type { GoogleState } from "./state";

const DOCS = "https://developers.google.com/people/api/rest/v1/people.connections/list";
const SORT_ORDERS = ["LAST_MODIFIED_ASCENDING", "LAST_MODIFIED_DESCENDING", "FIRST_NAME_ASCENDING", "LAST_NAME_ASCENDING"] as const;
type SortOrder = (typeof SORT_ORDERS)[number];
type Mode = "asc" | "desc" | "name" | "inc";

interface SyncTokenPayload {
  k: "s";
  a: string;
  q: number;
  g: number;
  i: number;
}

interface PageTokenPayload {
  k: "p";
  a: string;
  h: string;
  m: Mode;
  c: number;
  s?: string;
}

/** Name-sorted listings are snapshotted on their first page and paged by offset. */
const nameSnapshots = new WeakMap<GoogleState, LruMap<string, string[]>>();

function snapshots(state: GoogleState): LruMap<string, string[]> {
  let cache = nameSnapshots.get(state);
  if (!cache) {
    cache = new LruMap(32);
    nameSnapshots.set(state, cache);
  }
  return cache;
}

function isSyncToken(v: unknown): v is SyncTokenPayload {
  return typeof v === "object" && v !== null && (v as { k?: unknown }).k === "s";
}

function isPageToken(v: unknown): v is PageTokenPayload {
  return typeof v === "object" && v !== null && (v as { k?: unknown }).k === "p";
}

export function issueSyncToken(state: GoogleState, account: GoogleAccount, seq: number): string {
  const payload: SyncTokenPayload = { k: "s", a: account.sub, q: seq, g: state.faults.syncGeneration(), i: state.clock.now() };
  return state.sealer.seal(payload);
}

/** Opens a sync token; unreadable, forced-expired and too-old tokens all read as expired. */
export function openSyncToken(state: GoogleState, account: GoogleAccount, token: string): SyncTokenPayload {
  const payload = state.sealer.open(token);
  const status = state.config.expiredSyncTokenStatus;
  if (!isSyncToken(payload)) throw expiredSyncToken(status);
  if (payload.a !== account.sub) throw invalidArgument("Sync token does not belong to the authenticated user.");
  if (payload.g < state.faults.syncGeneration() || state.clock.now() - payload.i > state.config.syncTokenMaxAgeMs) throw expiredSyncToken(status);
  return payload;
}

function paramsKey(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

function nameKey(person: StoredPerson, order: SortOrder): string {
  const name = person.data.names?.[0];
  const given = typeof name?.["givenName"] === "string" ? name["givenName"] : "";
  const family = typeof name?.["familyName"] === "string" ? name["familyName"] : "";
  const primary = order === "FIRST_NAME_ASCENDING" ? given || family : family || given;
  // Contacts without a name sort after everyone else.
  return primary === "" ? "\uffff" : primary.toLocaleLowerCase();
}

export function listConnections(ctx: GoogleApiContext): Reply {
  const { req, state, account } = ctx;
  const q = req.query;
  if (ctx.params[0] !== "people/me") throw invalidArgument("Only people/me is supported for connections.");
  const fields: PersonField[] = parsePersonMask(q.get("personFields") ?? q.get("requestMask.includeField"), { param: "personFields", required: true, writableOnly: false, docsUrl: DOCS });
  const pageSizeParam = intParam(q, "pageSize") ?? 0;
  if (pageSizeParam < 0 || pageSizeParam > 1000) throw invalidArgument("Page size must be between 0 and 1000.");
  const pageSize = pageSizeParam === 0 ? 100 : pageSizeParam;
  const sortOrderParam = q.get("sortOrder") ?? "LAST_MODIFIED_ASCENDING";
  if (!(SORT_ORDERS as readonly string[]).includes(sortOrderParam)) {
    throw invalidArgument(`Invalid value at 'sort_order' (type.googleapis.com/google.people.v1.ListConnectionsRequest.SortOrder), "${sortOrderParam}"`);
  }
  const sortOrder = sortOrderParam as SortOrder;
  const sources = sourcesParam(q.getAll("sources"));
  const requestSyncToken = boolParam(q, "requestSyncToken");
  const syncTokenParam = q.get("syncToken") || null;
  const pageTokenParam = q.get("pageToken") || null;
  const binding = paramsKey({ f: [...fields].sort(), s: pageSizeParam, o: q.get("sortOrder"), src: sources, r: requestSyncToken, t: syncTokenParam });

  const sync = syncTokenParam ? openSyncToken(state, account, syncTokenParam) : null;
  let page: PageTokenPayload | null = null;
  if (pageTokenParam) {
    const opened = state.sealer.open(pageTokenParam);
    if (!isPageToken(opened) || opened.a !== account.sub) throw invalidArgument("Request contains an invalid argument.");
    // "All other parameters provided to people.connections.list must match the first call that provided the page token."
    if (opened.h !== binding) throw invalidArgument("Request contains an invalid argument.");
    page = opened;
  }

  const mode: Mode = sync ? "inc" : requestSyncToken || sortOrder === "LAST_MODIFIED_ASCENDING" ? "asc" : sortOrder === "LAST_MODIFIED_DESCENDING" ? "desc" : "name";
  const prefix = etagPrefix(fields, "list");
  const connections: Record<string, unknown>[] = [];
  let nextCursor: number | null = null;
  let snapshotId: string | undefined;
  let syncSeq = 0;

  if (mode === "asc" || mode === "inc") {
    const after = page?.c ?? sync?.q ?? 0;
    let upper = account.currentSeq();
    if (mode === "inc" && state.config.propagationDelayMs > 0) {
      upper = Math.min(upper, account.peopleLog.lastSeqAtOrBefore(state.clock.now() - state.config.propagationDelayMs));
    }
    let last = after;
    for (const entry of account.peopleLog.ascending(after, upper)) {
      const person = account.people.get(entry.key);
      if (!person || (person.deleted && mode === "asc")) continue;
      if (connections.length === pageSize) {
        nextCursor = last;
        break;
      }
      connections.push(person.deleted ? renderTombstone(person, prefix) : renderPerson(person, fields, prefix, true));
      last = entry.seq;
    }
    syncSeq = Math.max(upper, after);
  } else if (mode === "desc") {
    const before = page?.c ?? Number.POSITIVE_INFINITY;
    let last = before;
    for (const entry of account.peopleLog.descending(before)) {
      const person = account.people.get(entry.key);
      if (!person || person.deleted) continue;
      if (connections.length === pageSize) {
        nextCursor = last;
        break;
      }
      connections.push(renderPerson(person, fields, prefix, true));
      last = entry.seq;
    }
  } else {
    const cache = snapshots(state);
    let ids = page?.s ? cache.get(page.s) : undefined;
    if (page && !ids) throw invalidArgument("Page token has expired. Start the listing again.");
    snapshotId = page?.s ?? randomBytes(9).toString("base64url");
    if (!ids) {
      const live = [...account.people.values()].filter((p) => !p.deleted);
      const keys = new Map(live.map((p) => [p.id, nameKey(p, sortOrder)]));
      ids = live.map((p) => p.id).sort((a, b) => (keys.get(a) ?? "").localeCompare(keys.get(b) ?? ""));
      cache.set(snapshotId, ids);
    }
    let offset = page?.c ?? 0;
    while (offset < ids.length) {
      const person = account.livePerson(ids[offset] ?? "");
      offset += 1;
      if (!person) continue;
      connections.push(renderPerson(person, fields, prefix, true));
      if (connections.length === pageSize) break;
    }
    if (offset < ids.length) nextCursor = offset;
  }

  const body: Record<string, unknown> = {};
  if (connections.length > 0) body["connections"] = connections;
  if (nextCursor !== null) {
    const next: PageTokenPayload = { k: "p", a: account.sub, h: binding, m: mode, c: nextCursor, ...(snapshotId ? { s: snapshotId } : {}) };
    body["nextPageToken"] = state.sealer.seal(next);
  } else if (requestSyncToken) {
    // Only when asked for, as documented; incremental calls must keep sending requestSyncToken=true.
    body["nextSyncToken"] = issueSyncToken(state, account, mode === "asc" || mode === "inc" ? syncSeq : account.currentSeq());
  }
  if (mode !== "inc" && account.contactCount > 0) {
    body["totalPeople"] = account.contactCount;
    body["totalItems"] = account.contactCount;
  }
  return jsonReply(200, body);
}
