/**
 * Contact CRUD on /me/contacts (the default folder) and
 * /me/contactFolders/{id}/contacts: list with $top/$skip/$select/$filter/
 * $orderby, create (201), get, PATCH (200, full contact), DELETE (204).
 * If-Match with a stale `W/"<changeKey>"` gets 412 when enforced.
 */
import { emptyReply, jsonReply, type Reply } from "../shared/http";
import { CONTACT_PROPERTIES, parseContactBody, parseSelect, type ContactProperty } from "./contact-model";
import { graphBase, jsonBody, type GraphContext } from "./context";
import { idMalformed, irresolvableConflict, itemNotFound } from "./errors";
import { parseExpand } from "./extended-properties";
import { ID_PATTERN, type Mailbox, type StoredContact, type StoredFolder } from "./mailbox";
import { odataQuery, parseFilter, parseOrderBy, parsePaging } from "./odata";

const KNOWN = new Set<string>(CONTACT_PROPERTIES);
const SORTABLE = ["displayName", "givenName", "surname", "companyName", "createdDateTime", "lastModifiedDateTime", "fileAs"];

export function resolveFolder(mailbox: Mailbox, folderParam: string | undefined): StoredFolder {
  if (folderParam === undefined || folderParam === "") return mailbox.defaultFolder;
  if (folderParam.toLowerCase() !== "contacts" && !ID_PATTERN.test(folderParam)) throw idMalformed();
  const folder = mailbox.folder(folderParam);
  if (!folder) throw itemNotFound();
  return folder;
}

/** A live contact by id; with a folder, it must be in that folder. */
export function resolveContact(mailbox: Mailbox, folder: StoredFolder | null, id: string): StoredContact {
  if (!ID_PATTERN.test(id)) throw idMalformed();
  const contact = mailbox.liveContact(id);
  if (!contact || (folder && contact.folderId !== folder.id)) throw itemNotFound();
  return contact;
}

/** Route params are [folderId?, contactId?]; an empty folder param means the default folder. */
function folderOf(ctx: GraphContext): StoredFolder {
  return resolveFolder(ctx.mailbox, ctx.params[0]);
}

function contactOf(ctx: GraphContext): StoredContact {
  const folderParam = ctx.params[0];
  const folder = folderParam ? resolveFolder(ctx.mailbox, folderParam) : null;
  return resolveContact(ctx.mailbox, folder, ctx.params[1] ?? "");
}

function checkIfMatch(ctx: GraphContext, contact: StoredContact): void {
  const ifMatch = ctx.req.headers["if-match"];
  if (!ifMatch || !ctx.state.config.enforceIfMatch || ifMatch.trim() === "*") return;
  const tags = ifMatch.split(",").map((t) => t.trim().replace(/^W\//, "").replace(/^"|"$/g, ""));
  if (!tags.includes(contact.changeKey)) throw irresolvableConflict();
}

function entityContext(ctx: GraphContext): string {
  return `${graphBase(ctx.state)}/$metadata#users('${ctx.mailbox.userId}')/contacts/$entity`;
}

function sortValue(c: StoredContact, property: string): string | number {
  if (property === "createdDateTime") return c.createdAt;
  if (property === "lastModifiedDateTime") return c.modifiedAt;
  const v = (c.data as unknown as Record<string, unknown>)[property];
  return typeof v === "string" ? v.toLowerCase() : "";
}

export function listContacts(ctx: GraphContext): Reply {
  const { req, state, mailbox } = ctx;
  const folder = folderOf(ctx);
  const q = req.query;
  const select = parseSelect(q.get("$select"));
  const filter = parseFilter(q.get("$filter"), KNOWN);
  const orderBy = parseOrderBy(q.get("$orderby"), SORTABLE);
  const expand = parseExpand(q.get("$expand"));
  const { top, skip } = parsePaging(q, state.config.listDefaultPageSize, state.config.maxPageSize);
  let matching: StoredContact[] = [];
  for (const id of mailbox.members(folder.id)) {
    const c = mailbox.contacts.get(id);
    if (!c) continue;
    if (filter && !filter((p) => (p === "parentFolderId" ? c.folderId : p === "id" ? c.id : p === "singleValueExtendedProperties" ? [...mailbox.extendedOf(c).values()] : (c.data as unknown as Record<string, unknown>)[p]))) continue;
    matching.push(c);
  }
  if (orderBy) {
    const dir = orderBy.descending ? -1 : 1;
    matching = matching.sort((a, b) => {
      const x = sortValue(a, orderBy.property);
      const y = sortValue(b, orderBy.property);
      return x < y ? -dir : x > y ? dir : 0;
    });
  }
  const page = matching.slice(skip, skip + top);
  const path = ctx.params[0] ? `/me/contactFolders('${folder.id}')/contacts` : "/me/contacts";
  const body: Record<string, unknown> = { "@odata.context": `${graphBase(state)}/$metadata#users('${mailbox.userId}')/contacts${select ? `(${select.join(",")})` : ""}` };
  if (q.get("$count") === "true") body["@odata.count"] = matching.length;
  body["value"] = page.map((c) => mailbox.render(c, select, expand));
  if (skip + top < matching.length) {
    const params: [string, string][] = [];
    for (const name of ["$select", "$filter", "$orderby", "$count", "$expand"]) {
      const v = q.get(name);
      if (v !== null) params.push([name, v]);
    }
    params.push(["$top", String(top)], ["$skip", String(skip + top)]);
    body["@odata.nextLink"] = `${graphBase(state)}${path}?${odataQuery(params)}`;
  }
  return jsonReply(200, body);
}

export function createContact(ctx: GraphContext): Reply {
  const folder = folderOf(ctx);
  const body = parseContactBody(jsonBody(ctx.req));
  const contact = ctx.mailbox.createContact(folder.id, body.patch, body.extended);
  return jsonReply(201, { "@odata.context": entityContext(ctx), ...ctx.mailbox.render(contact, null) }, { location: `${graphBase(ctx.state)}/me/contacts('${contact.id}')` });
}

export function getContact(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  const select: ContactProperty[] | null = parseSelect(ctx.req.query.get("$select"));
  return jsonReply(200, { "@odata.context": entityContext(ctx), ...ctx.mailbox.render(contact, select, parseExpand(ctx.req.query.get("$expand"))) });
}

export function updateContact(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  checkIfMatch(ctx, contact);
  const body = parseContactBody(jsonBody(ctx.req));
  ctx.mailbox.updateContact(contact, body.patch, body.extended);
  return jsonReply(200, { "@odata.context": entityContext(ctx), ...ctx.mailbox.render(contact, null) });
}

export function deleteContact(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  checkIfMatch(ctx, contact);
  ctx.mailbox.deleteContact(contact);
  return emptyReply(204);
}
