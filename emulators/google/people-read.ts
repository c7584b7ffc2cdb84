/** people.get, people.getBatchGet and people.searchContacts. */
import { jsonReply, type Reply } from "../shared/http";
import { contactIdOf, intParam, sourcesParam, type GoogleApiContext } from "./context";
import { DOCS_GET, invalidArgument, notFound } from "./errors";
import { etagPrefix } from "./etag";
import { parsePersonMask } from "./person-fields";
import { renderPerson, renderProfile } from "./render";

const MAX_BATCH_GET = 200;

export function getPerson(ctx: GoogleApiContext): Reply {
  const { req, account, state } = ctx;
  const resourceName = `people/${ctx.params[0] ?? ""}`;
  const fields = parsePersonMask(req.query.get("personFields") ?? req.query.get("requestMask.includeField"), { param: "personFields", required: true, writableOnly: false, docsUrl: DOCS_GET });
  sourcesParam(req.query.getAll("sources"));
  if (resourceName === "people/me" || resourceName === `people/${account.sub}`) {
    return jsonReply(200, renderProfile(account, fields, state.photos.defaultUrl(state.photos.defaultKey(Number(account.sub.slice(-6))))));
  }
  const id = contactIdOf(resourceName);
  if (!id) throw invalidArgument(`Resource name "${resourceName}" is not a valid person resource name.`);
  const person = account.livePerson(id);
  if (!person) throw notFound();
  return jsonReply(200, renderPerson(person, fields, etagPrefix(fields, "read")));
}

export function getBatchGet(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const names = req.query.getAll("resourceNames");
  const fields = parsePersonMask(req.query.get("personFields") ?? req.query.get("requestMask.includeField"), { param: "personFields", required: true, writableOnly: false, docsUrl: DOCS_GET });
  sourcesParam(req.query.getAll("sources"));
  if (names.length === 0) throw invalidArgument("At least one resource name must be specified.");
  if (names.length > MAX_BATCH_GET) throw invalidArgument(`Too many resource names: at most ${MAX_BATCH_GET} may be requested at once.`);
  const prefix = etagPrefix(fields, "read");
  const responses = names.map((rn) => {
    const id = contactIdOf(rn);
    const person = id ? account.livePerson(id) : undefined;
    if (!person) return { requestedResourceName: rn, httpStatusCode: 404, status: { code: 5, message: "Requested entity was not found." } };
    return { person: renderPerson(person, fields, prefix), requestedResourceName: rn, httpStatusCode: 200, status: {} };
  });
  return jsonReply(200, { responses });
}

/**
 * A plain prefix match over names, nicknames, e-mails, phones and
 * organizations, like the real search's "prefix of a word" semantics. No
 * warm-up cache is emulated: results are always fresh.
 */
export function searchContacts(ctx: GoogleApiContext): Reply {
  const { req, account } = ctx;
  const query = (req.query.get("query") ?? "").trim().toLocaleLowerCase();
  const fields = parsePersonMask(req.query.get("readMask"), { param: "readMask", required: true, writableOnly: false, docsUrl: "https://developers.google.com/people/api/rest/v1/people/searchContacts" });
  sourcesParam(req.query.getAll("sources"));
  const pageSize = intParam(req.query, "pageSize") ?? 10;
  if (pageSize < 0 || pageSize > 30) throw invalidArgument("Page size must be between 0 and 30.");
  if (query === "") return jsonReply(200, {});
  const limit = pageSize === 0 ? 10 : pageSize;
  const prefix = etagPrefix(fields, "read");
  const results: { person: Record<string, unknown> }[] = [];
  for (const person of account.people.values()) {
    if (person.deleted) continue;
    const haystack = [...(person.data.names ?? []), ...(person.data.nicknames ?? []), ...(person.data.emailAddresses ?? []), ...(person.data.phoneNumbers ?? []), ...(person.data.organizations ?? [])]
      .flatMap((item) => Object.values(item))
      .filter((v): v is string => typeof v === "string")
      .flatMap((v) => v.toLocaleLowerCase().split(/[\s@.,]+/).concat(v.toLocaleLowerCase()));
    if (haystack.some((w) => w.startsWith(query))) results.push({ person: renderPerson(person, fields, prefix) });
    if (results.length === limit) break;
  }
  return jsonReply(200, results.length > 0 ? { results } : {});
}
