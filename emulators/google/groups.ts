/**
 * contactGroups: list (with sync tokens and deleted tombstones), get (members
 * only up to maxMembers), batchGet, create/update (409 on a duplicate name),
 * delete (optionally with the member contacts), and members:modify. System
 * groups have no etag or metadata and only myContacts/starred accept adds.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { jsonReply, parseJsonBody, type ApiRequest, type Reply } from "../shared/http";
import { SYSTEM_GROUPS, systemGroup, type GoogleAccount, type StoredGroup, type SystemGroup } from "./account";
import { boolParam, intParam, type GoogleApiContext } from "./context";
import { expiredSyncToken, failedPrecondition, googleError, invalidArgument, notFound } from "./errors";
import type { GoogleState } from "./state";

const GROUP_FIELDS = ["clientData", "groupType", "memberCount", "metadata", "name"] as const;
type GroupField = (typeof GROUP_FIELDS)[number];
const DEFAULT_READ_FIELDS: GroupField[] = ["metadata", "groupType", "memberCount", "name"];
const DEFAULT_WRITE_READ_FIELDS: GroupField[] = ["metadata", "groupType", "name"];
const MAX_BATCH_GET = 200;
const MAX_MODIFY = 1000;

type AnyGroup = { kind: "user"; group: StoredGroup } | { kind: "system"; group: SystemGroup };

function parseGroupFields(raw: string | null | undefined, fallback: GroupField[], param = "groupFields"): GroupField[] {
  const paths = (raw ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (paths.length === 0) return fallback;
  return paths.map((p) => {
    if (!(GROUP_FIELDS as readonly string[]).includes(p)) throw invalidArgument(`Invalid ${param} mask path: "${p}".`);
    return p as GroupField;
  });
}

function jsonBody(req: ApiRequest): unknown {
  const body = parseJsonBody(req.body);
  if (body === undefined) throw invalidArgument("Invalid JSON payload received. Unexpected token.");
  return body ?? {};
}

function parseBody<T>(schema: z.ZodType<T>, req: ApiRequest): T {
  const result = schema.safeParse(jsonBody(req));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === "unrecognized_keys") throw invalidArgument(`Invalid JSON payload received. Unknown name "${issue.keys[0] ?? ""}": Cannot find field.`);
  throw invalidArgument(`Invalid JSON payload received. Invalid value at '${issue ? issue.path.map(String).join(".") : ""}'.`);
}

function renderGroup(account: GoogleAccount, g: AnyGroup, fields: readonly GroupField[], maxMembers = 0): Record<string, unknown> {
  const resourceName = `contactGroups/${g.group.id}`;
  const out: Record<string, unknown> = { resourceName };
  if (g.kind === "user") out["etag"] = account.groupEtagOf(g.group);
  for (const f of fields) {
    switch (f) {
      case "metadata":
        if (g.kind === "user") out["metadata"] = { updateTime: new Date(g.group.updateTime).toISOString() };
        break;
      case "groupType":
        out["groupType"] = g.kind === "user" ? "USER_CONTACT_GROUP" : "SYSTEM_CONTACT_GROUP";
        break;
      case "name":
        out["name"] = g.kind === "user" ? g.group.name : g.group.id;
        out["formattedName"] = g.kind === "user" ? g.group.name : g.group.formattedName;
        break;
      case "memberCount": {
        const n = account.memberCount(resourceName);
        if (n > 0) out["memberCount"] = n;
        break;
      }
      case "clientData":
        if (g.kind === "user" && g.group.clientData.length > 0) out["clientData"] = g.group.clientData;
        break;
    }
  }
  if (maxMembers > 0) {
    const members: string[] = [];
    for (const id of account.memberIds(resourceName)) {
      if (members.length >= maxMembers) break;
      members.push(`people/${id}`);
    }
    if (members.length > 0) out["memberResourceNames"] = members;
  }
  return out;
}

function findGroup(account: GoogleAccount, id: string): AnyGroup | null {
  const sys = systemGroup(id);
  if (sys) return { kind: "system", group: sys };
  const g = account.groups.get(id);
  return g && !g.deleted ? { kind: "user", group: g } : null;
}

interface GroupSyncToken {
  k: "gs";
  a: string;
  q: number;
  g: number;
  i: number;
}

interface GroupPageToken {
  k: "gp";
  a: string;
  h: string;
  o: number;
}

function openGroupSyncToken(state: GoogleState, account: GoogleAccount, token: string): GroupSyncToken {
  const payload = state.sealer.open(token) as Partial<GroupSyncToken> | null;
  if (!payload || payload.k !== "gs" || typeof payload.q !== "number" || typeof payload.g !== "number" || typeof payload.i !== "number") throw expiredSyncToken(state.config.expiredSyncTokenStatus);
  if (payload.a !== account.sub) throw invalidArgument("Sync token does not belong to the authenticated user.");
  if (payload.g < state.faults.syncGeneration() || state.clock.now() - payload.i > state.config.syncTokenMaxAgeMs) throw expiredSyncToken(state.config.expiredSyncTokenStatus);
  return payload as GroupSyncToken;
}

export function listGroups(ctx: GoogleApiContext): Reply {
  const { req, state, account } = ctx;
  const q = req.query;
  const pageSizeParam = intParam(q, "pageSize") ?? 0;
  if (pageSizeParam < 0 || pageSizeParam > 1000) throw invalidArgument("Page size must be between 0 and 1000.");
  const pageSize = pageSizeParam === 0 ? 30 : pageSizeParam;
  const fields = parseGroupFields(q.get("groupFields"), DEFAULT_READ_FIELDS);
  const syncTokenParam = q.get("syncToken") || null;
  const binding = createHash("sha256")
    .update(JSON.stringify([pageSizeParam, q.get("groupFields"), syncTokenParam]))
    .digest("base64url")
    .slice(0, 16);
  const sync = syncTokenParam ? openGroupSyncToken(state, account, syncTokenParam) : null;

  const items: Record<string, unknown>[] = [];
  if (sync) {
    for (const entry of account.groupLog.ascending(sync.q)) {
      const group = account.groups.get(entry.key);
      if (!group) continue;
      items.push(group.deleted ? { resourceName: group.resourceName, etag: account.groupEtagOf(group), metadata: { updateTime: new Date(group.updateTime).toISOString(), deleted: true } } : renderGroup(account, { kind: "user", group }, fields));
    }
  } else {
    for (const entry of account.groupLog.ascending(0)) {
      const group = account.groups.get(entry.key);
      if (group && !group.deleted) items.push(renderGroup(account, { kind: "user", group }, fields));
    }
    for (const group of SYSTEM_GROUPS) items.push(renderGroup(account, { kind: "system", group }, fields));
  }

  let offset = 0;
  const pageToken = q.get("pageToken");
  if (pageToken) {
    const page = state.sealer.open(pageToken) as Partial<GroupPageToken> | null;
    if (!page || page.k !== "gp" || page.a !== account.sub || page.h !== binding || typeof page.o !== "number") throw invalidArgument("Request contains an invalid argument.");
    offset = page.o;
  }
  const slice = items.slice(offset, offset + pageSize);
  const body: Record<string, unknown> = {};
  if (slice.length > 0) body["contactGroups"] = slice;
  if (offset + pageSize < items.length) {
    const next: GroupPageToken = { k: "gp", a: account.sub, h: binding, o: offset + pageSize };
    body["nextPageToken"] = state.sealer.seal(next);
  } else {
    const token: GroupSyncToken = { k: "gs", a: account.sub, q: account.currentSeq(), g: state.faults.syncGeneration(), i: state.clock.now() };
    body["nextSyncToken"] = state.sealer.seal(token);
  }
  if (items.length > 0) body["totalItems"] = items.length;
  return jsonReply(200, body);
}

export function getGroup(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const g = findGroup(account, ctx.params[0] ?? "");
  if (!g) throw notFound();
  const maxMembers = intParam(req.query, "maxMembers") ?? 0;
  if (maxMembers < 0) throw invalidArgument("maxMembers must not be negative.");
  return jsonReply(200, renderGroup(account, g, parseGroupFields(req.query.get("groupFields"), DEFAULT_READ_FIELDS), maxMembers));
}

export function batchGetGroups(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const names = req.query.getAll("resourceNames");
  if (names.length === 0) throw invalidArgument("At least one resource name must be specified.");
  if (names.length > MAX_BATCH_GET) throw invalidArgument(`Too many resource names: at most ${MAX_BATCH_GET} may be requested at once.`);
  const fields = parseGroupFields(req.query.get("groupFields"), DEFAULT_READ_FIELDS);
  const maxMembers = intParam(req.query, "maxMembers") ?? 0;
  const responses = names.map((rn) => {
    const m = /^contactGroups\/([^/]+)$/.exec(rn);
    const g = m?.[1] ? findGroup(account, m[1]) : null;
    if (!g) return { requestedResourceName: rn, status: { code: 5, message: "Requested entity was not found." } };
    return { requestedResourceName: rn, contactGroup: renderGroup(account, g, fields, maxMembers), status: {} };
  });
  return jsonReply(200, { responses });
}

const clientDataSchema = z.array(z.strictObject({ key: z.string().nullish(), value: z.string().nullish() })).nullish();
const groupInputSchema = z.strictObject({
  resourceName: z.string().nullish(),
  etag: z.string().nullish(),
  name: z.string().nullish(),
  formattedName: z.string().nullish(),
  groupType: z.string().nullish(),
  memberCount: z.number().nullish(),
  memberResourceNames: z.array(z.string()).nullish(),
  metadata: z.unknown().optional(),
  clientData: clientDataSchema,
});

function normalizeClientData(raw: z.infer<typeof clientDataSchema>): { key: string; value: string }[] {
  return (raw ?? []).map((c) => ({ key: c.key ?? "", value: c.value ?? "" })).filter((c) => c.key !== "" || c.value !== "");
}

function duplicateName(name: string): never {
  throw googleError(409, "ALREADY_EXISTS", `Contact group name "${name}" already exists.`);
}

export function createGroup(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const body = parseBody(z.strictObject({ contactGroup: groupInputSchema.nullish(), readGroupFields: z.string().nullish() }), req);
  const name = body.contactGroup?.name?.trim() ?? "";
  if (name === "") throw invalidArgument("Contact group name must not be empty.");
  if (account.userGroupByName(name)) duplicateName(name);
  const fields = parseGroupFields(body.readGroupFields, DEFAULT_WRITE_READ_FIELDS, "readGroupFields");
  const group = account.createGroup(name, normalizeClientData(body.contactGroup?.clientData));
  return jsonReply(200, renderGroup(account, { kind: "user", group }, fields));
}

export function updateGroup(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const id = ctx.params[0] ?? "";
  if (systemGroup(id)) throw failedPrecondition("System contact groups cannot be modified.");
  const group = account.groups.get(id);
  if (!group || group.deleted) throw notFound();
  const body = parseBody(z.strictObject({ contactGroup: groupInputSchema.nullish(), updateGroupFields: z.string().nullish(), readGroupFields: z.string().nullish() }), req);
  const input: z.infer<typeof groupInputSchema> = body.contactGroup ?? {};
  if (input.etag && input.etag !== account.groupEtagOf(group)) throw failedPrecondition("Request contact group etag is different than the current contact group etag.");
  const updateFields = (body.updateGroupFields ?? "name")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const f of updateFields) if (f !== "name" && f !== "clientData") throw invalidArgument(`Invalid updateGroupFields mask path: "${f}".`);
  const changes: { name?: string; clientData?: { key: string; value: string }[] } = {};
  if (updateFields.length === 0 || updateFields.includes("name")) {
    const name = input.name?.trim() ?? "";
    if (name === "") throw invalidArgument("Contact group name must not be empty.");
    const other = account.userGroupByName(name);
    if (other && other.id !== group.id) duplicateName(name);
    changes.name = name;
  }
  if (updateFields.includes("clientData")) changes.clientData = normalizeClientData(input.clientData);
  account.updateGroup(group, changes);
  return jsonReply(200, renderGroup(account, { kind: "user", group }, parseGroupFields(body.readGroupFields, DEFAULT_WRITE_READ_FIELDS, "readGroupFields")));
}

export function deleteGroup(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const id = ctx.params[0] ?? "";
  if (systemGroup(id)) throw failedPrecondition("System contact groups cannot be deleted.");
  const group = account.groups.get(id);
  if (!group || group.deleted) throw notFound();
  account.deleteGroup(group, boolParam(req.query, "deleteContacts"));
  return jsonReply(200, {});
}

export function modifyMembers(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const id = ctx.params[0] ?? "";
  const g = findGroup(account, id);
  if (!g) throw notFound();
  const body = parseBody(z.strictObject({ resourceNamesToAdd: z.array(z.string()).nullish(), resourceNamesToRemove: z.array(z.string()).nullish() }), req);
  const add = body.resourceNamesToAdd ?? [];
  const remove = body.resourceNamesToRemove ?? [];
  if (add.length + remove.length > MAX_MODIFY) throw invalidArgument(`The total number of resource names to add and remove must be at most ${MAX_MODIFY}.`);
  if (add.length > 0 && g.kind === "system" && !g.group.addable) {
    throw failedPrecondition(`Cannot add contacts to contactGroups/${id}: only user contact groups, myContacts and starred accept new members.`);
  }
  const result = account.modifyMembers(`contactGroups/${id}`, add, remove);
  const out: Record<string, unknown> = {};
  if (result.notFoundResourceNames.length > 0) out["notFoundResourceNames"] = result.notFoundResourceNames;
  if (result.canNotRemoveLastContactGroupResourceNames.length > 0) out["canNotRemoveLastContactGroupResourceNames"] = result.canNotRemoveLastContactGroupResourceNames;
  return jsonReply(200, out);
}
