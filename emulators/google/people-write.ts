/**
 * Contact mutations: create/update/delete, their batch forms with the
 * documented limits (200 / 200 / 500; a batch with any invalid contact
 * creates nothing), and photo upload/removal. Every mutation gives the
 * contact a new etag; updateContact requires the current one.
 */
import { z } from "zod";
import { jsonReply, parseJsonBody, ReplyError, type ApiRequest, type Reply } from "../shared/http";
import { sniffImage } from "../shared/images";
import type { GoogleAccount, StoredPerson } from "./account";
import { contactIdOf, sourcesParam, type GoogleApiContext } from "./context";
import { etagMismatch, failedPrecondition, invalidArgument, notFound } from "./errors";
import { decodeEtag, etagPrefix } from "./etag";
import { PERSON_FIELDS, parsePersonMask, type PersonField, type WritableField } from "./person-fields";
import { normalizePerson, type NormalizedPerson } from "./person-input";
import { renderPerson } from "./render";
import type { GoogleState } from "./state";

const DOCS_GET_PHOTO = "https://developers.google.com/people/api/rest/v1/people/updateContactPhoto";
const DOCS_CREATE = "https://developers.google.com/people/api/rest/v1/people/createContact";
const DOCS_UPDATE = "https://developers.google.com/people/api/rest/v1/people/updateContact";
const MAX_BATCH_CREATE = 200;
const MAX_BATCH_UPDATE = 200;
const MAX_BATCH_DELETE = 500;

function jsonBody(req: ApiRequest): unknown {
  const body = parseJsonBody(req.body);
  if (body === undefined) throw invalidArgument("Invalid JSON payload received. Unexpected token.");
  return body ?? {};
}

/** Maps zod problems in a request envelope to Google's "Invalid JSON payload" messages. */
function parseEnvelope<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue ? issue.path.map(String).join(".") : "";
  if (issue?.code === "unrecognized_keys") throw invalidArgument(`Invalid JSON payload received. Unknown name "${issue.keys[0] ?? ""}"${at ? ` at '${at}'` : ""}: Cannot find field.`);
  throw invalidArgument(`Invalid JSON payload received. Invalid value at '${at}'.`);
}

function errorMessage(error: ReplyError): string {
  const body = error.reply.body;
  if (body.kind !== "json") return "Invalid contact.";
  const message = (body.value as { error?: { message?: unknown } }).error?.message;
  return typeof message === "string" ? message : "Invalid contact.";
}

function responseFields(raw: string | null, param: "personFields" | "readMask", docsUrl: string): PersonField[] {
  const fields = parsePersonMask(raw, { param, required: false, writableOnly: false, docsUrl });
  return fields.length > 0 ? fields : [...PERSON_FIELDS];
}

function membershipNames(input: NormalizedPerson): string[] {
  return (input.data.memberships ?? []).map((m) => (m["contactGroupMembership"] as { contactGroupResourceName?: string } | undefined)?.contactGroupResourceName ?? "").filter((n) => n !== "");
}

function requireLive(account: GoogleAccount, resourceName: string): StoredPerson {
  const id = contactIdOf(resourceName);
  if (!id) throw invalidArgument(`Resource name "${resourceName}" is not a valid contact person resource name.`);
  const person = account.livePerson(id);
  if (!person) throw notFound();
  return person;
}

function checkCapacity(state: GoogleState, account: GoogleAccount, adding: number): void {
  if (account.contactCount + adding > state.config.maxContacts) {
    throw failedPrecondition(`Cannot create contact: the account would exceed its limit of ${state.config.maxContacts} contacts.`);
  }
}

function checkEtag(state: GoogleState, person: StoredPerson, etag: string | null): void {
  if (etag === null) throw invalidArgument("Request must set person.etag or person.metadata.sources.etag for the source that is being updated.");
  const decoded = decodeEtag(etag);
  if (!decoded || !decoded.revision.equals(person.revision)) throw etagMismatch();
  if (state.config.strictEtags && decoded.origin === "list") throw etagMismatch();
}

/** Validates an update against the stored contact without applying it. */
function prepareUpdate(state: GoogleState, account: GoogleAccount, person: StoredPerson, mask: readonly WritableField[], input: NormalizedPerson): void {
  checkEtag(state, person, input.etag);
  if (input.resourceName && input.resourceName !== person.resourceName) throw invalidArgument("Resource name in the request body does not match the resource name in the URL.");
  if (mask.includes("memberships")) {
    const names = membershipNames(input);
    if (names.length === 0) throw invalidArgument("Person must have at least one contact group membership when memberships are updated.");
    account.validateMemberships(names, new Set(account.membershipsOf(person)));
  }
}

export function createContact(ctx: GoogleApiContext): Reply {
  const { req, state, account } = ctx;
  const fields = responseFields(req.query.get("personFields"), "personFields", DOCS_CREATE);
  sourcesParam(req.query.getAll("sources"));
  const input = normalizePerson(jsonBody(req), "person");
  account.validateMemberships(membershipNames(input), new Set());
  checkCapacity(state, account, 1);
  const person = account.createPerson(input);
  return jsonReply(200, renderPerson(person, fields, etagPrefix(fields, "read")));
}

export function updateContact(ctx: GoogleApiContext): Reply {
  const { req, state, account } = ctx;
  const person = requireLive(account, `people/${ctx.params[0] ?? ""}`);
  const mask = parsePersonMask(req.query.get("updatePersonFields"), { param: "updatePersonFields", required: true, writableOnly: true, docsUrl: DOCS_UPDATE }) as WritableField[];
  const fields = responseFields(req.query.get("personFields"), "personFields", DOCS_UPDATE);
  sourcesParam(req.query.getAll("sources"));
  const input = normalizePerson(jsonBody(req), "person");
  prepareUpdate(state, account, person, mask, input);
  account.updatePerson(person, mask, input);
  return jsonReply(200, renderPerson(person, fields, etagPrefix(fields, "read")));
}

export function deleteContact(ctx: GoogleApiContext): Reply {
  const person = requireLive(ctx.account, `people/${ctx.params[0] ?? ""}`);
  ctx.account.deletePerson(person);
  return jsonReply(200, {});
}

const batchCreateSchema = z.strictObject({
  contacts: z.array(z.strictObject({ contactPerson: z.unknown() })).optional(),
  readMask: z.string().optional(),
  sources: z.array(z.string()).optional(),
});

export function batchCreateContacts(ctx: GoogleApiContext): Reply {
  const { req, state, account } = ctx;
  const body = parseEnvelope(batchCreateSchema, jsonBody(req));
  const contacts = body.contacts ?? [];
  if (contacts.length === 0) throw invalidArgument("contacts must not be empty.");
  if (contacts.length > MAX_BATCH_CREATE) throw invalidArgument(`Too many contacts in request: ${contacts.length}. At most ${MAX_BATCH_CREATE} contacts can be created in a single request.`);
  sourcesParam(body.sources ?? [], "sources");
  const readFields = parsePersonMask(body.readMask ?? null, { param: "readMask", required: false, writableOnly: false, docsUrl: DOCS_CREATE });
  const inputs: NormalizedPerson[] = [];
  const contactErrors: Record<string, { code: number; message: string }> = {};
  contacts.forEach((c, i) => {
    try {
      if (c.contactPerson === undefined || c.contactPerson === null) throw invalidArgument("contactPerson is required.");
      const input = normalizePerson(c.contactPerson, `contacts[${i}].contact_person`);
      account.validateMemberships(membershipNames(input), new Set());
      inputs.push(input);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      contactErrors[String(i)] = { code: 3, message: errorMessage(error) };
    }
  });
  if (Object.keys(contactErrors).length > 0) {
    const first = Object.values(contactErrors)[0];
    throw invalidArgument(first?.message ?? "Request contains an invalid argument.", [{ "@type": "type.googleapis.com/google.people.v1.BatchCreateContactsErrorDetails", contactErrors }]);
  }
  checkCapacity(state, account, inputs.length);
  const created = inputs.map((input) => account.createPerson(input));
  if (readFields.length === 0) return jsonReply(200, {});
  const prefix = etagPrefix(readFields, "read");
  return jsonReply(200, {
    createdPeople: created.map((p) => ({ person: renderPerson(p, readFields, prefix), requestedResourceName: p.resourceName, httpStatusCode: 200, status: {} })),
  });
}

const batchUpdateSchema = z.strictObject({
  contacts: z.record(z.string(), z.unknown()).optional(),
  updateMask: z.string().optional(),
  readMask: z.string().optional(),
  sources: z.array(z.string()).optional(),
});

export function batchUpdateContacts(ctx: GoogleApiContext): Reply {
  const { req, state, account } = ctx;
  const body = parseEnvelope(batchUpdateSchema, jsonBody(req));
  const entries = Object.entries(body.contacts ?? {});
  if (entries.length === 0) throw invalidArgument("contacts must not be empty.");
  if (entries.length > MAX_BATCH_UPDATE) throw invalidArgument(`Too many contacts in request: ${entries.length}. At most ${MAX_BATCH_UPDATE} contacts can be updated in a single request.`);
  const mask = parsePersonMask(body.updateMask ?? null, { param: "updateMask", required: true, writableOnly: true, docsUrl: "https://developers.google.com/people/api/rest/v1/people/batchUpdateContacts" }) as WritableField[];
  const readFields = parsePersonMask(body.readMask ?? null, { param: "readMask", required: false, writableOnly: false, docsUrl: DOCS_UPDATE });
  sourcesParam(body.sources ?? [], "sources");
  // Validate everything first: a failing batch changes nothing.
  const prepared = entries.map(([resourceName, raw]) => {
    const person = requireLive(account, resourceName);
    const input = normalizePerson(raw, `contacts["${resourceName}"]`);
    prepareUpdate(state, account, person, mask, { ...input, resourceName: input.resourceName ?? resourceName });
    return { resourceName, person, input };
  });
  for (const { person, input } of prepared) account.updatePerson(person, mask, input);
  if (readFields.length === 0) return jsonReply(200, {});
  const prefix = etagPrefix(readFields, "read");
  const updateResult: Record<string, unknown> = {};
  for (const { resourceName, person } of prepared) {
    updateResult[resourceName] = { person: renderPerson(person, readFields, prefix), requestedResourceName: resourceName, httpStatusCode: 200, status: {} };
  }
  return jsonReply(200, { updateResult });
}

const batchDeleteSchema = z.strictObject({ resourceNames: z.array(z.string()).optional() });

export function batchDeleteContacts(ctx: GoogleApiContext): Reply {
  const body = parseEnvelope(batchDeleteSchema, jsonBody(ctx.req));
  const names = body.resourceNames ?? [];
  if (names.length === 0) throw invalidArgument("resourceNames must not be empty.");
  if (names.length > MAX_BATCH_DELETE) throw invalidArgument(`Too many resource names: ${names.length}. At most ${MAX_BATCH_DELETE} contacts can be deleted in a single request.`);
  const people = [...new Set(names)].map((rn) => requireLive(ctx.account, rn));
  for (const person of people) ctx.account.deletePerson(person);
  return jsonReply(200, {});
}

const updatePhotoSchema = z.strictObject({ photoBytes: z.string().optional(), personFields: z.string().optional(), sources: z.array(z.string()).optional() });

export function updateContactPhoto(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const person = requireLive(account, `people/${ctx.params[0] ?? ""}`);
  const body = parseEnvelope(updatePhotoSchema, jsonBody(req));
  if (!body.photoBytes) throw invalidArgument("photoBytes is required.");
  const fields = parsePersonMask(body.personFields ?? null, { param: "personFields", required: false, writableOnly: false, docsUrl: DOCS_GET_PHOTO });
  sourcesParam(body.sources ?? [], "sources");
  const bytes = Buffer.from(body.photoBytes, "base64");
  const info = sniffImage(bytes);
  if (!info) throw invalidArgument("Invalid photo bytes: the data is not a supported image.");
  account.setPhoto(person, bytes, info.contentType);
  return jsonReply(200, fields.length > 0 ? { person: renderPerson(person, fields, etagPrefix(fields, "read")) } : {});
}

export function deleteContactPhoto(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const person = requireLive(account, `people/${ctx.params[0] ?? ""}`);
  const fields = parsePersonMask(req.query.get("personFields"), { param: "personFields", required: false, writableOnly: false, docsUrl: DOCS_GET_PHOTO });
  sourcesParam(req.query.getAll("sources"));
  account.clearPhoto(person);
  return jsonReply(200, fields.length > 0 ? { person: renderPerson(person, fields, etagPrefix(fields, "read")) } : {});
}
