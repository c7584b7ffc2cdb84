// Google Contacts through the official People API client (@googleapis/people).
// Provider surprises handled here (People API v1 reference, and what the emulator reproduces):
// - connections.list has no group filter: we read memberships and filter ourselves; a contact
//   that loses the membership is "gone" for us.
// - An expired sync token is a 400 with reason EXPIRED_SYNC_TOKEN (older docs: 410).
// - Mutations for one user are sent one after another; batch calls carry up to 200 contacts
//   (500 for deletes); the client does not retry POSTs, so retries are ours (retry.ts).
// - updateContact replaces whole fields: we read the current person first and change only the
//   items we map, so data we do not map is never touched.
import { people, auth as googleAuth, type people_v1 } from "@googleapis/people";
import { changedFields } from "../../model/contact";
import {
  CursorExpiredError,
  ResumeRefusedError,
  type DeleteResult,
  type Photo,
  type ProviderAdapter,
  type ProviderGroup,
  type PulledContact,
  refused,
  type WriteResult,
} from "../../model/provider";
import { withRetry } from "../retry";
import type { AdapterOptions } from "../definition";
import { SYNCED_PICTURE_MAX_BYTES } from "@/lib/persons/picture";
import { applyPagesAhead, bearerToken, createCaller, mapInSlices, providerFetch, readLimited, retryVerdict } from "../http";
import { ResponseTooLargeError } from "../../outbound/fetch";
import { GOOGLE_PERSON_FIELDS, projectForGoogle, readGooglePerson, writeGooglePerson } from "./mapping";

const SOURCES = ["READ_SOURCE_TYPE_CONTACT"];
/** What we read: the mapped fields plus clientData, where our creates carry the CRM person id. */
const READ_MASK = `${GOOGLE_PERSON_FIELDS},clientData`;
const PAGE_SIZE = 1000;
const BATCH_WRITE = 200;
const BATCH_DELETE = 500;
const STAMP_KEY = "tandemPersonId";
const PHOTO_TIMEOUT_MS = 15_000;

/** Google serves contact photos from googleusercontent.com over https; an emulator (demo mode,
 * tests) from its own origin, the API's. */
export function isPhotoUrlAllowed(url: string, apiOrigin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const google = parsed.protocol === "https:" && (parsed.hostname === "googleusercontent.com" || parsed.hostname.endsWith(".googleusercontent.com"));
  return google || parsed.origin === apiOrigin;
}

type GaxiosLike = { status?: number; response?: { status?: number; headers?: Record<string, string> | Headers; data?: unknown }; message?: string };

function statusOf(error: unknown): number | undefined {
  const e = error as GaxiosLike;
  return e?.response?.status ?? e?.status;
}

function headerOf(error: unknown, name: string): string | null {
  const headers = (error as GaxiosLike)?.response?.headers;
  if (!headers) return null;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  return (headers as Record<string, string>)[name] ?? null;
}

type GoogleErrorBody = { error?: { status?: string; message?: string; details?: { reason?: string }[] } | string };
function bodyOf(error: unknown): GoogleErrorBody {
  return ((error as GaxiosLike)?.response?.data ?? {}) as GoogleErrorBody;
}

/** 400 FAILED_PRECONDITION with reason EXPIRED_SYNC_TOKEN, or the older 410. */
export function isExpiredSyncToken(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 410) return true;
  const body = bodyOf(error).error;
  return status === 400 && typeof body === "object" && !!body?.details?.some((d) => d.reason === "EXPIRED_SYNC_TOKEN");
}

/** 400 "Request person.etag is different than the current person.etag" (FAILED_PRECONDITION). */
export function isEtagMismatch(error: unknown): boolean {
  const status = statusOf(error);
  const body = bodyOf(error).error;
  return (status === 400 || status === 403) && typeof body === "object" && (body?.status === "FAILED_PRECONDITION" || /etag/i.test(body?.message ?? ""));
}

/** The group is a contact group's resource name: "contactGroups/myContacts", "contactGroups/abc123". */
export function createGoogleAdapter(opts: AdapterOptions): ProviderAdapter {
  const oauth = new googleAuth.OAuth2();
  const apiOrigin = new URL(opts.apiBaseUrl).origin;
  // The client's requests go through the outbound client, to the API's origin only.
  const api = people({ version: "v1", auth: oauth, rootUrl: opts.apiBaseUrl, fetchImplementation: providerFetch(opts.agent, { mayRequest: (url) => url.origin === apiOrigin }) });
  const photoFetch = providerFetch(opts.agent, { maxBytes: SYNCED_PICTURE_MAX_BYTES, timeoutMs: PHOTO_TIMEOUT_MS });
  const mapping = { groupResourceName: opts.groupId, defaultCountry: opts.defaultCountry };

  const caller = createCaller({ name: "Google", statusOf, retryAfterOf: (error) => headerOf(error, "retry-after"), retry: opts.retry });
  /** One call: a fresh token each attempt, our retry policy (the client's own is off). */
  async function call<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    const res = await caller(async () => {
      oauth.setCredentials({ access_token: await bearerToken(opts.credentials) });
      return fn();
    });
    return res.data;
  }
  const noRetry = { retry: false };
  /** A listing's parameters: every page and every later sync must repeat them. */
  const listParams = () => ({ resourceName: "people/me", personFields: READ_MASK, pageSize: opts.pageSize ?? PAGE_SIZE, requestSyncToken: true, sources: SOURCES });

  const toPulled = (person: people_v1.Schema$Person): PulledContact => {
    const read = readGooglePerson(person, mapping);
    const stamp = person.clientData?.find((d) => d.key === STAMP_KEY)?.value ?? null;
    return { ...read, contact: projectForGoogle(read.contact), stamp };
  };
  const toResult = (person: people_v1.Schema$Person | undefined): WriteResult => {
    if (!person?.resourceName) return { ok: false, error: "rejected", message: "Google returned no contact" };
    const read = readGooglePerson(person, mapping);
    return { ok: true, id: read.id, etag: read.etag, contact: projectForGoogle(read.contact) };
  };
  const stamped = (person: people_v1.Schema$Person, stamp: string): people_v1.Schema$Person => ({
    ...person,
    clientData: [...(person.clientData ?? []).filter((d) => d.key !== STAMP_KEY), { key: STAMP_KEY, value: stamp }],
  });

  async function getCurrent(ids: string[]): Promise<Map<string, people_v1.Schema$Person>> {
    const current = new Map<string, people_v1.Schema$Person>();
    for (let i = 0; i < ids.length; i += BATCH_WRITE) {
      const data = await call(() =>
        api.people.getBatchGet({ resourceNames: ids.slice(i, i + BATCH_WRITE), personFields: READ_MASK, sources: SOURCES }, noRetry),
      );
      for (const r of data.responses ?? []) if (r.person?.resourceName && r.requestedResourceName) current.set(r.requestedResourceName, r.person);
    }
    return current;
  }

  return {
    provider: "google",
    project: projectForGoogle,

    async listGroups(): Promise<ProviderGroup[]> {
      const groups: ProviderGroup[] = [];
      let pageToken: string | undefined;
      do {
        const data = await call(() => api.contactGroups.list({ pageSize: 1000, pageToken, groupFields: "name,groupType,memberCount" }, noRetry));
        for (const g of data.contactGroups ?? []) {
          if (!g.resourceName) continue;
          const userGroup = g.groupType === "USER_CONTACT_GROUP";
          if (!userGroup && g.resourceName !== "contactGroups/myContacts") continue;
          groups.push({ id: g.resourceName, name: g.formattedName || g.name || g.resourceName, memberCount: g.memberCount ?? 0 });
        }
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      return groups.sort((a, b) => (a.id === "contactGroups/myContacts" ? -1 : b.id === "contactGroups/myContacts" ? 1 : a.name.localeCompare(b.name)));
    },

    async changedSince(cursor) {
      // One incremental listing with the same parameters as the sync's (Google requires them to
      // match the token's); an empty one means nothing changed. An expired token: the run lists
      // everything again.
      try {
        const data = await call(() => api.people.connections.list({ ...listParams(), syncToken: cursor }, noRetry));
        return (data.connections ?? []).length > 0 || !!data.nextPageToken;
      } catch (error) {
        if (isExpiredSyncToken(error)) return true;
        throw error;
      }
    },

    async pull(cursor, onPage, options = {}) {
      // Every page and every later sync must repeat the same parameters.
      const params = {
        ...listParams(),
        ...(cursor ? { syncToken: cursor } : {}),
      };
      const fetchPage = async (pageToken: string | undefined): Promise<people_v1.Schema$ListConnectionsResponse> => {
        try {
          return await call(() => api.people.connections.list({ ...params, ...(pageToken ? { pageToken } : {}) }, noRetry));
        } catch (error) {
          if (isExpiredSyncToken(error)) throw new CursorExpiredError();
          // A page token too old, or from another listing: 400 INVALID_ARGUMENT.
          if (pageToken && pageToken === options.resumeFrom && statusOf(error) === 400) throw new ResumeRefusedError();
          throw error;
        }
      };
      const last = await applyPagesAhead(
        () => fetchPage(options.resumeFrom),
        (data) => (data.nextPageToken ? () => fetchPage(data.nextPageToken!) : null),
        async (data) => onPage({ items: await mapInSlices(data.connections ?? [], toPulled), next: data.nextPageToken ?? null }),
      );
      if (!last.nextSyncToken) throw new Error("Google ended a listing without a sync token");
      return { cursor: last.nextSyncToken, full: !cursor };
    },

    async fetchPhotos(contacts) {
      // Photo URLs are public content URLs, not People API calls: no token is sent to them. They
      // come in the provider's payload, so only Google's photo hosts are asked (an emulator: its
      // own origin), with no redirect followed, a time limit and a size cap.
      const fetchOne = async (url: string): Promise<Photo | null> => {
        if (!isPhotoUrlAllowed(url, apiOrigin)) return null;
        const res = await withRetry(
          async () => {
            const r = await photoFetch(url, { redirect: "manual" });
            if (r.status === 429 || r.status >= 500) throw Object.assign(new Error(`photo ${r.status}`), { status: r.status, retryAfter: r.headers.get("retry-after") });
            return r;
          },
          (error) => retryVerdict(statusOf(error), (error as { retryAfter?: string | null }).retryAfter),
          opts.retry,
        ).catch((error: unknown) => {
          if (error instanceof ResponseTooLargeError) return null;
          throw error;
        });
        if (!res) return null;
        if (res.status !== 200) {
          await res.body?.cancel();
          return null;
        }
        const data = await readLimited(res, SYNCED_PICTURE_MAX_BYTES);
        return data ? { contentType: res.headers.get("content-type")?.split(";")[0] ?? "image/jpeg", data } : null;
      };
      const out: (Photo | null)[] = new Array(contacts.length).fill(null);
      let next = 0;
      const worker = async () => {
        for (let k = next++; k < contacts.length; k = next++) {
          const url = contacts[k]!.photoUrl;
          if (url) out[k] = await fetchOne(url);
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      return out;
    },

    async create(items) {
      const results: WriteResult[] = [];
      for (let i = 0; i < items.length; i += BATCH_WRITE) {
        const batch = items.slice(i, i + BATCH_WRITE);
        const bodies = batch.map((item) => stamped(writeGooglePerson(item.contact, null, mapping).person, item.stamp));
        try {
          const data = await call(() =>
            api.people.batchCreateContacts(
              { requestBody: { contacts: bodies.map((contactPerson) => ({ contactPerson })), readMask: READ_MASK, sources: SOURCES } },
              noRetry,
            ),
          );
          const created = data.createdPeople ?? [];
          batch.forEach((_, k) => results.push(toResult(created[k]?.person)));
        } catch (error) {
          if (statusOf(error) !== 400) throw error;
          // One bad contact fails the whole batch: create one by one to find it.
          for (const body of bodies) {
            try {
              results.push(toResult(await call(() => api.people.createContact({ requestBody: body, personFields: READ_MASK, sources: SOURCES }, noRetry))));
            } catch (one) {
              if (statusOf(one) !== 400) throw one;
              // FAILED_PRECONDITION on a create: the account holds as many contacts as Google allows.
              const err = bodyOf(one).error as { message?: string; status?: string } | undefined;
              results.push(refused(err?.message ?? "rejected by Google", err?.status === "FAILED_PRECONDITION" ? "full" : "invalid"));
            }
          }
        }
      }
      return results;
    },

    async update(items) {
      const current = await getCurrent(items.map((i) => i.id));
      const results = new Map<number, WriteResult>();
      const writes: { index: number; resourceName: string; person: people_v1.Schema$Person; fields: string[] }[] = [];
      items.forEach((item, index) => {
        const now = current.get(item.id);
        if (!now) return results.set(index, { ok: false, error: "not_found", message: "The contact no longer exists" });
        // Etags depend on the field mask and where they were handed out, so compare what we map:
        // if the contact no longer matches the base, it changed since the pull and the next
        // pull merges it. Otherwise the fresh etag guards the write.
        if (changedFields(projectForGoogle(readGooglePerson(now, mapping).contact), item.base).length > 0) {
          return results.set(index, { ok: false, error: "conflict", message: "The contact changed at Google since the last pull" });
        }
        const { person, updatePersonFields } = writeGooglePerson(item.contact, now, mapping);
        if (updatePersonFields.length === 0) return results.set(index, toResult(now));
        writes.push({ index, resourceName: item.id, person: { ...person, etag: now.etag, resourceName: item.id }, fields: updatePersonFields });
      });

      for (let i = 0; i < writes.length; i += BATCH_WRITE) {
        const batch = writes.slice(i, i + BATCH_WRITE);
        // One mask for the whole batch: fields a contact does not change are sent as they are.
        const mask = [...new Set(batch.flatMap((w) => w.fields))];
        const contacts: Record<string, people_v1.Schema$Person> = {};
        for (const w of batch) {
          const now = current.get(w.resourceName)!;
          const body: Record<string, unknown> = { ...w.person };
          for (const f of mask) if (!w.fields.includes(f)) body[f] = (now as Record<string, unknown>)[f] ?? [];
          contacts[w.resourceName] = body as people_v1.Schema$Person;
        }
        try {
          const data = await call(() =>
            api.people.batchUpdateContacts(
              { requestBody: { contacts, updateMask: mask.join(","), readMask: READ_MASK, sources: SOURCES } },
              noRetry,
            ),
          );
          for (const w of batch) results.set(w.index, toResult(data.updateResult?.[w.resourceName]?.person ?? undefined));
        } catch (error) {
          if (statusOf(error) !== 400 && statusOf(error) !== 404) throw error;
          // Isolate the contact that failed (changed meanwhile, or rejected).
          for (const w of batch) {
            try {
              const person = await call(() =>
                api.people.updateContact(
                  { resourceName: w.resourceName, updatePersonFields: w.fields.join(","), personFields: READ_MASK, sources: SOURCES, requestBody: w.person },
                  noRetry,
                ),
              );
              results.set(w.index, toResult(person));
            } catch (one) {
              const status = statusOf(one);
              if (status === 404) results.set(w.index, { ok: false, error: "not_found", message: "The contact no longer exists" });
              else if (isEtagMismatch(one)) results.set(w.index, { ok: false, error: "conflict", message: "The contact changed at Google meanwhile" });
              else if (status === 400) results.set(w.index, refused((bodyOf(one).error as { message?: string })?.message ?? "rejected by Google", "invalid"));
              else throw one;
            }
          }
        }
      }
      return items.map((_, index) => results.get(index)!);
    },

    async delete(items) {
      const ids = items.map((i) => i.id);
      const results: DeleteResult[] = [];
      for (let i = 0; i < ids.length; i += BATCH_DELETE) {
        const batch = ids.slice(i, i + BATCH_DELETE);
        try {
          await call(() => api.people.batchDeleteContacts({ requestBody: { resourceNames: batch } }, noRetry));
          results.push(...batch.map((): DeleteResult => ({ ok: true })));
        } catch (error) {
          if (statusOf(error) !== 400 && statusOf(error) !== 404) throw error;
          for (const id of batch) {
            try {
              await call(() => api.people.deleteContact({ resourceName: id }, noRetry));
              results.push({ ok: true });
            } catch (one) {
              if (statusOf(one) === 404) results.push({ ok: false, error: "not_found", message: "Already gone" });
              else if (statusOf(one) === 400) results.push(refused((bodyOf(one).error as { message?: string })?.message ?? "rejected by Google", "invalid"));
              else throw one;
            }
          }
        }
      }
      return results;
    },
  };
}

