/**
 * The People API route table: path pattern, the endpoint name stats are
 * recorded under (the client's method name), the RPC name used in error
 * details, the scope it needs, and the quota bucket it is charged to.
 */
import { Router } from "../shared/router";
import { listConnections } from "./connections";
import type { GoogleHandler } from "./context";
import type { QuotaBucket } from "./errors";
import { batchGetGroups, createGroup, deleteGroup, getGroup, listGroups, modifyMembers, updateGroup } from "./groups";
import { getBatchGet, getPerson, searchContacts } from "./people-read";
import { batchCreateContacts, batchDeleteContacts, batchUpdateContacts, createContact, deleteContact, deleteContactPhoto, updateContact, updateContactPhoto } from "./people-write";

export interface GoogleRoute {
  handler: GoogleHandler;
  rpc: string;
  access: "read" | "write";
  bucket: QuotaBucket;
}

const P = "google.people.v1.PeopleService.";
const G = "google.people.v1.ContactGroupService.";
const ID = "([^/:]+)";

function route(handler: GoogleHandler, rpc: string, access: "read" | "write", bucket: QuotaBucket): GoogleRoute {
  return { handler, rpc, access, bucket };
}

export function createPeopleRouter(): Router<GoogleRoute> {
  return new Router<GoogleRoute>()
    .add("GET", /^\/v1\/(people\/[^/:]+)\/connections$/, "people.connections.list", route(listConnections, `${P}ListConnections`, "read", "criticalRead"))
    .add("GET", /^\/v1\/people:batchGet$/, "people.getBatchGet", route(getBatchGet, `${P}GetPeople`, "read", "criticalRead"))
    .add("GET", /^\/v1\/people:searchContacts$/, "people.searchContacts", route(searchContacts, `${P}SearchContacts`, "read", "criticalRead"))
    .add("POST", /^\/v1\/people:createContact$/, "people.createContact", route(createContact, `${P}CreateContact`, "write", "criticalWrite"))
    .add("POST", /^\/v1\/people:batchCreateContacts$/, "people.batchCreateContacts", route(batchCreateContacts, `${P}BatchCreateContacts`, "write", "criticalWrite"))
    .add("POST", /^\/v1\/people:batchUpdateContacts$/, "people.batchUpdateContacts", route(batchUpdateContacts, `${P}BatchUpdateContacts`, "write", "criticalWrite"))
    .add("POST", /^\/v1\/people:batchDeleteContacts$/, "people.batchDeleteContacts", route(batchDeleteContacts, `${P}BatchDeleteContacts`, "write", "write"))
    .add("PATCH", new RegExp(`^/v1/people/${ID}:updateContact$`), "people.updateContact", route(updateContact, `${P}UpdateContact`, "write", "criticalWrite"))
    .add("DELETE", new RegExp(`^/v1/people/${ID}:deleteContact$`), "people.deleteContact", route(deleteContact, `${P}DeleteContact`, "write", "write"))
    .add("PATCH", new RegExp(`^/v1/people/${ID}:updateContactPhoto$`), "people.updateContactPhoto", route(updateContactPhoto, `${P}UpdateContactPhoto`, "write", "photoWrite"))
    .add("DELETE", new RegExp(`^/v1/people/${ID}:deleteContactPhoto$`), "people.deleteContactPhoto", route(deleteContactPhoto, `${P}DeleteContactPhoto`, "write", "photoWrite"))
    .add("GET", new RegExp(`^/v1/people/${ID}$`), "people.get", route(getPerson, `${P}GetPerson`, "read", "criticalRead"))
    .add("GET", /^\/v1\/contactGroups$/, "contactGroups.list", route(listGroups, `${G}ListContactGroups`, "read", "groupRead"))
    .add("POST", /^\/v1\/contactGroups$/, "contactGroups.create", route(createGroup, `${G}CreateContactGroup`, "write", "write"))
    .add("GET", /^\/v1\/contactGroups:batchGet$/, "contactGroups.batchGet", route(batchGetGroups, `${G}BatchGetContactGroups`, "read", "groupRead"))
    .add("GET", new RegExp(`^/v1/contactGroups/${ID}$`), "contactGroups.get", route(getGroup, `${G}GetContactGroup`, "read", "groupRead"))
    .add("PUT", new RegExp(`^/v1/contactGroups/${ID}$`), "contactGroups.update", route(updateGroup, `${G}UpdateContactGroup`, "write", "write"))
    .add("DELETE", new RegExp(`^/v1/contactGroups/${ID}$`), "contactGroups.delete", route(deleteGroup, `${G}DeleteContactGroup`, "write", "write"))
    .add("POST", new RegExp(`^/v1/contactGroups/${ID}/members:modify$`), "contactGroups.members.modify", route(modifyMembers, `${G}ModifyContactGroupMembers`, "write", "write"));
}
