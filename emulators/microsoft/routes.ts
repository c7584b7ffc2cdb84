/**
 * The Graph route table and path normalisation: `/v1.0` is stripped,
 * `/users/{id|upn}` becomes `/me` for the signed-in user, OData key syntax
 * (`contactFolders('id')`, used in nextLinks) becomes a plain segment, and
 * segment names match case-insensitively as on Graph. `/subscriptions`
 * belongs to no mailbox path; its handlers check scopes themselves.
 */
import { jsonReply, withoutTrailingSlashes, type Reply } from "../shared/http";
import { Router } from "../shared/router";
import { createContact, deleteContact, getContact, listContacts, updateContact } from "./contacts";
import { graphBase, type GraphContext, type GraphHandler } from "./context";
import { contactsDelta } from "./delta";
import { createChildFolder, createFolder, deleteFolder, getFolder, listChildFolders, listFolders, updateFolder } from "./folders";
import { deletePhotoValue, getPhotoMetadata, getPhotoValue, putPhotoValue, sizedPhotosUnsupported } from "./photos";
import { createSubscription, deleteSubscription, getSubscription, listSubscriptions, reauthorizeSubscription, updateSubscription } from "./subscriptions";

export interface GraphRoute {
  handler: GraphHandler;
  access: "read" | "write" | "user" | "subscription";
}

function me(ctx: GraphContext): Reply {
  const m = ctx.mailbox;
  const [given, ...rest] = m.name.split(" ");
  return jsonReply(200, {
    "@odata.context": `${graphBase(ctx.state)}/$metadata#users/$entity`,
    businessPhones: [],
    displayName: m.name,
    givenName: given ?? null,
    jobTitle: null,
    mail: m.email,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: rest.length > 0 ? rest.join(" ") : null,
    userPrincipalName: m.email,
    id: m.userId,
  });
}

const r = (handler: GraphHandler, access: GraphRoute["access"]): GraphRoute => ({ handler, access });
const FOLDER = "(?:/contactFolders/([^/]+))?";
const ID = "([^/]+)";

export function createGraphRouter(): Router<GraphRoute> {
  const contactItem = `^/me${FOLDER}/contacts/${ID}`;
  return new Router<GraphRoute>()
    .add("GET", /^\/me$/i, "me.get", r(me, "user"))
    .add("GET", new RegExp(`^/me${FOLDER}/contacts/delta$`, "i"), "contacts.delta", r(contactsDelta, "read"))
    .add("GET", new RegExp(`^/me${FOLDER}/contacts$`, "i"), "contacts.list", r(listContacts, "read"))
    .add("POST", new RegExp(`^/me${FOLDER}/contacts$`, "i"), "contacts.create", r(createContact, "write"))
    .add("GET", new RegExp(`${contactItem}/photo$`, "i"), "contacts.photo.get", r(getPhotoMetadata, "read"))
    .add("GET", new RegExp(`${contactItem}/photo/\\$value$`, "i"), "contacts.photo.value.get", r(getPhotoValue, "read"))
    .add("PUT", new RegExp(`${contactItem}/photo/\\$value$`, "i"), "contacts.photo.value.put", r(putPhotoValue, "write"))
    .add("PATCH", new RegExp(`${contactItem}/photo/\\$value$`, "i"), "contacts.photo.value.put", r(putPhotoValue, "write"))
    .add("DELETE", new RegExp(`${contactItem}/photo/\\$value$`, "i"), "contacts.photo.value.delete", r(deletePhotoValue, "write"))
    .add("GET", new RegExp(`${contactItem}/photos(?:/.*)?$`, "i"), "contacts.photos", r(sizedPhotosUnsupported, "read"))
    .add("GET", new RegExp(`${contactItem}$`, "i"), "contacts.get", r(getContact, "read"))
    .add("PATCH", new RegExp(`${contactItem}$`, "i"), "contacts.update", r(updateContact, "write"))
    .add("DELETE", new RegExp(`${contactItem}$`, "i"), "contacts.delete", r(deleteContact, "write"))
    .add("GET", /^\/me\/contactFolders$/i, "contactFolders.list", r(listFolders, "read"))
    .add("POST", /^\/me\/contactFolders$/i, "contactFolders.create", r(createFolder, "write"))
    .add("GET", /^\/me\/contactFolders\/([^/]+)\/childFolders$/i, "contactFolders.childFolders.list", r(listChildFolders, "read"))
    .add("POST", /^\/me\/contactFolders\/([^/]+)\/childFolders$/i, "contactFolders.childFolders.create", r(createChildFolder, "write"))
    .add("GET", /^\/me\/contactFolders\/([^/]+)$/i, "contactFolders.get", r(getFolder, "read"))
    .add("PATCH", /^\/me\/contactFolders\/([^/]+)$/i, "contactFolders.update", r(updateFolder, "write"))
    .add("DELETE", /^\/me\/contactFolders\/([^/]+)$/i, "contactFolders.delete", r(deleteFolder, "write"))
    .add("GET", /^\/subscriptions$/i, "subscriptions.list", r(listSubscriptions, "subscription"))
    .add("POST", /^\/subscriptions$/i, "subscriptions.create", r(createSubscription, "subscription"))
    .add("POST", /^\/subscriptions\/([^/]+)\/reauthorize$/i, "subscriptions.reauthorize", r(reauthorizeSubscription, "subscription"))
    .add("GET", /^\/subscriptions\/([^/]+)$/i, "subscriptions.get", r(getSubscription, "subscription"))
    .add("PATCH", /^\/subscriptions\/([^/]+)$/i, "subscriptions.update", r(updateSubscription, "subscription"))
    .add("DELETE", /^\/subscriptions\/([^/]+)$/i, "subscriptions.delete", r(deleteSubscription, "subscription"));
}

export interface NormalizedPath {
  path: string;
  /** The `{id|upn}` of a `/users/{id|upn}/...` path, which must be the signed-in user; null for `/me`. */
  user: string | null;
}

export function normalizeGraphPath(rawPath: string): NormalizedPath {
  let path = rawPath.replace(/^\/v1\.0(?=\/|$)/i, "");
  path = withoutTrailingSlashes(path.replace(/\/(\w+)\('([^']*)'\)/g, "/$1/$2"));
  const users = /^\/users\/([^/]+)(\/.*)?$/i.exec(path);
  if (!users) return { path, user: null };
  return { path: `/me${users[2] ?? ""}`, user: (users[1] ?? "").toLowerCase() };
}
