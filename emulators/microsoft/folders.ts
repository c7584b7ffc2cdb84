/**
 * contactFolders: list (children of the default Contacts folder, which is
 * itself reachable by id or as `contacts`), create (409 ErrorFolderExists on
 * a duplicate name), get, rename, delete (with the folder's contacts; the
 * default folder cannot be deleted), and childFolders.
 */
import { z } from "zod";
import { emptyReply, jsonReply, type Reply } from "../shared/http";
import { resolveFolder } from "./contacts";
import { graphBase, jsonBody, type GraphContext } from "./context";
import { graphError } from "./errors";
import type { Mailbox, StoredFolder } from "./mailbox";
import { odataQuery, parseFilter, parsePaging } from "./odata";

const FOLDER_PROPERTIES = new Set(["id", "displayName", "parentFolderId"]);

function renderFolder(folder: StoredFolder): Record<string, unknown> {
  return { id: folder.id, displayName: folder.displayName, parentFolderId: folder.parentFolderId };
}

function listChildren(ctx: GraphContext, parent: StoredFolder, path: string): Reply {
  const { req, state, mailbox } = ctx;
  const filter = parseFilter(req.query.get("$filter"), FOLDER_PROPERTIES);
  const { top, skip } = parsePaging(req.query, state.config.listDefaultPageSize, state.config.maxPageSize);
  const all = mailbox.liveFolders().filter((f) => f.parentFolderId === parent.id && (!filter || filter((p) => renderFolder(f)[p])));
  const body: Record<string, unknown> = { "@odata.context": `${graphBase(state)}/$metadata#users('${mailbox.userId}')/contactFolders`, value: all.slice(skip, skip + top).map(renderFolder) };
  if (skip + top < all.length) {
    const params: [string, string][] = [];
    const f = req.query.get("$filter");
    if (f !== null) params.push(["$filter", f]);
    params.push(["$top", String(top)], ["$skip", String(skip + top)]);
    body["@odata.nextLink"] = `${graphBase(state)}${path}?${odataQuery(params)}`;
  }
  return jsonReply(200, body);
}

const folderInput = z.strictObject({ displayName: z.string().nullish(), parentFolderId: z.string().nullish(), id: z.unknown().optional() });

function parseFolderBody(ctx: GraphContext): z.infer<typeof folderInput> {
  const raw = jsonBody(ctx.req);
  const cleaned = typeof raw === "object" && raw !== null ? Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("@odata."))) : raw;
  const parsed = folderInput.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? "") : String(issue?.path[0] ?? "");
    throw graphError(400, "RequestBodyRead", `The property '${name}' does not exist on type 'microsoft.graph.contactFolder'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
  }
  return parsed.data;
}

function createIn(ctx: GraphContext, mailbox: Mailbox, parent: StoredFolder): Reply {
  const body = parseFolderBody(ctx);
  const name = body.displayName?.trim() ?? "";
  if (name === "") throw graphError(400, "ErrorInvalidRequest", "The folder name must be specified.");
  if (mailbox.folderByName(parent.id, name)) throw graphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
  const folder = mailbox.createFolder(name, parent.id);
  return jsonReply(201, { "@odata.context": `${graphBase(ctx.state)}/$metadata#users('${mailbox.userId}')/contactFolders/$entity`, ...renderFolder(folder) });
}

export function listFolders(ctx: GraphContext): Reply {
  return listChildren(ctx, ctx.mailbox.defaultFolder, "/me/contactFolders");
}

export function createFolder(ctx: GraphContext): Reply {
  return createIn(ctx, ctx.mailbox, ctx.mailbox.defaultFolder);
}

export function getFolder(ctx: GraphContext): Reply {
  const folder = resolveFolder(ctx.mailbox, ctx.params[0]);
  return jsonReply(200, { "@odata.context": `${graphBase(ctx.state)}/$metadata#users('${ctx.mailbox.userId}')/contactFolders/$entity`, ...renderFolder(folder) });
}

export function updateFolder(ctx: GraphContext): Reply {
  const folder = resolveFolder(ctx.mailbox, ctx.params[0]);
  const body = parseFolderBody(ctx);
  if (body.displayName !== undefined && body.displayName !== null) {
    const name = body.displayName.trim();
    if (name === "") throw graphError(400, "ErrorInvalidRequest", "The folder name must be specified.");
    const clash = ctx.mailbox.folderByName(folder.parentFolderId, name);
    if (clash && clash.id !== folder.id) throw graphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
    if (folder.isDefault) throw graphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    folder.displayName = name;
  }
  return jsonReply(200, { "@odata.context": `${graphBase(ctx.state)}/$metadata#users('${ctx.mailbox.userId}')/contactFolders/$entity`, ...renderFolder(folder) });
}

export function deleteFolder(ctx: GraphContext): Reply {
  const folder = resolveFolder(ctx.mailbox, ctx.params[0]);
  if (folder.isDefault) throw graphError(400, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.");
  ctx.mailbox.deleteFolder(folder);
  return emptyReply(204);
}

export function listChildFolders(ctx: GraphContext): Reply {
  const parent = resolveFolder(ctx.mailbox, ctx.params[0]);
  return listChildren(ctx, parent, `/me/contactFolders('${parent.id}')/childFolders`);
}

export function createChildFolder(ctx: GraphContext): Reply {
  return createIn(ctx, ctx.mailbox, resolveFolder(ctx.mailbox, ctx.params[0]));
}
