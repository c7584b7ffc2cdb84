// Outlook contacts through the official Microsoft Graph client.
// Provider surprises handled here (Graph v1.0 reference, and what the emulator reproduces):
// - The client only sends the Authorization header to https hosts it knows: customHosts.
// - Delta per folder: follow @odata.nextLink to the @odata.deltaLink, which is the cursor;
//   410 / SyncStateNotFound / resyncRequired mean start again with a full delta.
// - "@removed" (any reason) means gone from the folder.
// - $batch carries at most 20 requests, each of which may be throttled on its own (429 with
//   Retry-After): those are retried, the rest are not sent again.
// - Outlook allows an app 10,000 requests per 10 minutes and 4 at once per mailbox, each
//   request of a $batch counted. Delta says nothing of photos and takes no $expand, but a list
//   filtered on PidLidHasPicture names the folder's contacts that have one: photos are fetched
//   only for those, 4 to a $batch (run together by Graph), within a share of the 10,000.
// - Updates are PATCHes of the changed properties, always with displayName (Graph would
//   regenerate it), and If-Match with the last change key we saw.
import {
  AuthenticationHandler,
  Client,
  CustomAuthenticationProvider,
  GraphError,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthProvider,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import type { Contact as GraphContact } from "@microsoft/microsoft-graph-types";
import {
  causeOfStatus,
  CursorExpiredError,
  ResumeRefusedError,
  InvalidGrantError,
  type DeleteResult,
  type Photo,
  type ProviderAdapter,
  type ProviderGroup,
  type PulledContact,
  refused,
  type WriteResult,
} from "../../model/provider";
import { parseRetryAfter, withRetry } from "../retry";
import type { AdapterOptions } from "../definition";
import { applyPagesAhead, bearerToken, createCaller, isRetryableStatus, mapInSlices, providerFetch } from "../http";
import { SYNCED_PICTURE_MAX_BYTES } from "@/lib/persons/picture";
import { GRAPH_CONTACT_SELECT, projectForGraph, readGraphContact, writeGraphContact } from "./mapping";

const MAX_PAGE = 1000;
/** Our creates carry the CRM person id in this extended property (delta does not return it;
 * a $filter finds it). */
const STAMP_PROPERTY = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name TandemPersonId";
const BATCH_MAX = 20;
/** PidLidHasPicture (PSETID_Address, long id 0x8015): Exchange sets it with a contact's picture. */
const HAS_PICTURE_PROPERTY = "Boolean {00062004-0000-0000-C000-000000000046} Id 0x8015";
/** Graph runs up to 4 requests to a mailbox at once; a $batch's requests run together. */
const MAILBOX_CONCURRENCY = 4;
/** Photos may use 8,000 of the mailbox's 10,000 requests per 10 minutes; runs use the rest. */
const PHOTO_QUOTA = { requests: 8_000, windowMs: 10 * 60_000 };

/** Graph's longest subscription to Outlook contacts is 10,080 minutes (7 days) by its docs; the
 * live service is reported to refuse more than 10,070. Asked well under both. */
const SUBSCRIPTION_MAX_MS = 10_000 * 60_000;

type BatchRequest = { id: string; method: "GET" | "POST" | "PATCH" | "DELETE"; url: string; headers?: Record<string, string>; body?: unknown };
type BatchResponse = { id: string; status: number; headers?: Record<string, string>; body?: unknown };

function graphStatus(error: unknown): number | undefined {
  return error instanceof GraphError ? error.statusCode : (error as { statusCode?: number })?.statusCode;
}

/** 410 Gone, or SyncStateNotFound / resyncRequired in any case. */
export function isExpiredDelta(error: unknown): boolean {
  const code = error instanceof GraphError ? error.code : undefined;
  return graphStatus(error) === 410 || /syncStateNotFound|resyncRequired/i.test(code ?? "");
}

/** Sub-requests of a $batch that were throttled (429) or failed (5xx): the rest are kept. */
class ThrottledSubrequests extends Error {
  constructor(
    readonly responses: BatchResponse[],
    readonly afterMs: number | null,
  ) {
    super(`${responses.length} $batch requests throttled`);
  }
}

function messageOf(body: unknown): string {
  const err = (body as { error?: { code?: string; message?: string } })?.error;
  return err?.message || err?.code || "rejected by Microsoft";
}

/** A refused subrequest, with its cause: Exchange's quota codes say the mailbox is full. */
function refusedAnswer(r: BatchResponse | undefined) {
  const code = (r?.body as { error?: { code?: string } } | undefined)?.error?.code ?? "";
  return refused(messageOf(r?.body), /quota/i.test(code) ? "full" : causeOfStatus(r?.status));
}

/** The last link of the Graph client's chain, in place of its own (the global fetch, and a
 * redirect handler that follows any host): the outbound client — no private addresses, no
 * redirect off the API's origin, byte caps. */
class OutboundHandler implements Middleware {
  constructor(private readonly send: typeof fetch) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.send(context.request, context.options as RequestInit);
  }
}

/** The group is a contact folder id; the API root is Graph's (https://graph.microsoft.com/). */
export function createMicrosoftAdapter(opts: AdapterOptions): ProviderAdapter {
  const base = new URL(opts.apiBaseUrl);
  const authProvider: AuthProvider = (done) => {
    bearerToken(opts.credentials).then(
      (token) => done(null, token),
      (error: unknown) => done(error, null),
    );
  };
  const client = Client.initWithMiddleware({
    baseUrl: base.origin + "/",
    defaultVersion: "v1.0",
    customHosts: new Set([base.hostname]),
    // The client's default chain but its last two links: the token, Graph's retry of 429/503/504,
    // its telemetry header, then the outbound client to the API's origin only.
    middleware: [
      new AuthenticationHandler(new CustomAuthenticationProvider(authProvider)),
      new RetryHandler(new RetryHandlerOptions()),
      new TelemetryHandler(),
      new OutboundHandler(providerFetch(opts.agent, { mayRequest: (url) => url.origin === base.origin })),
    ],
  });
  const mapping = { folderId: opts.groupId, defaultCountry: opts.defaultCountry };
  const folderPath = `/me/contactFolders/${encodeURIComponent(opts.groupId)}`;

  const call = createCaller({
    name: "Microsoft",
    statusOf: graphStatus,
    retryAfterOf: (error) => (error instanceof GraphError ? error.headers?.get("retry-after") : null),
    retry: opts.retry,
  });

  /** Sends requests through $batch (20 a call). Sub-requests are throttled one by one: those are
   * sent again (retry.ts's policy, after the longest Retry-After), the others are kept. */
  async function batch(requests: BatchRequest[], size = BATCH_MAX): Promise<Map<string, BatchResponse>> {
    const done = new Map<string, BatchResponse>();
    for (let i = 0; i < requests.length; i += size) {
      let todo = requests.slice(i, i + size);
      const send = async () => {
        const data = await call(() => client.api("/$batch").post({ requests: todo }) as Promise<{ responses: BatchResponse[] }>);
        const throttled = (data.responses ?? []).filter((r) => isRetryableStatus(r.status));
        for (const r of data.responses ?? []) if (!isRetryableStatus(r.status)) done.set(r.id, r);
        if (throttled.length === 0) return;
        todo = todo.filter((q) => throttled.some((r) => r.id === q.id));
        const waits = throttled.map((r) => parseRetryAfter(r.headers?.["Retry-After"] ?? r.headers?.["retry-after"]) ?? 0);
        throw new ThrottledSubrequests(throttled, Math.max(...waits) || null);
      };
      try {
        await withRetry(send, (e) => (e instanceof ThrottledSubrequests ? { retry: true, afterMs: e.afterMs } : { retry: false }), opts.retry);
      } catch (error) {
        if (!(error instanceof ThrottledSubrequests)) throw error;
        // Out of retries: the throttled answers stand, and read as errors of those contacts.
        for (const r of error.responses) done.set(r.id, r);
      }
    }
    return done;
  }

  const toResult = (r: BatchResponse | undefined): WriteResult => {
    if (!r) return { ok: false, error: "rejected", message: "Microsoft returned no answer" };
    if (r.status === 404) return { ok: false, error: "not_found", message: "The contact no longer exists" };
    if (r.status === 412) return { ok: false, error: "conflict", message: "The contact changed at Microsoft meanwhile" };
    if (r.status === 401) throw new InvalidGrantError();
    if (r.status >= 400) return refusedAnswer(r);
    const read = readGraphContact(r.body as GraphContact, mapping);
    return { ok: true, id: read.id, etag: read.etag, contact: projectForGraph(read.contact) };
  };

  type Subscription = { id: string; expirationDateTime: string };
  const notifications = {
    maxLifetimeMs: SUBSCRIPTION_MAX_MS,
    async subscribe(target: { notificationUrl: string; lifecycleUrl: string; clientState: string; expiresAt: Date }) {
      const made = (await call(() =>
        client.api("/subscriptions").post({
          changeType: "created,updated,deleted",
          notificationUrl: target.notificationUrl,
          lifecycleNotificationUrl: target.lifecycleUrl,
          resource: `me/contactFolders/${opts.groupId}/contacts`,
          expirationDateTime: target.expiresAt.toISOString(),
          clientState: target.clientState,
        }),
      )) as Subscription;
      return { id: made.id, expiresAt: new Date(made.expirationDateTime) };
    },
    async renew(id: string, expiresAt: Date) {
      try {
        const renewed = (await call(() => client.api(`/subscriptions/${encodeURIComponent(id)}`).patch({ expirationDateTime: expiresAt.toISOString() }))) as Subscription;
        return { expiresAt: new Date(renewed.expirationDateTime) };
      } catch (error) {
        if (graphStatus(error) === 404) return null;
        throw error;
      }
    },
    async unsubscribe(id: string) {
      try {
        await call(() => client.api(`/subscriptions/${encodeURIComponent(id)}`).delete());
      } catch (error) {
        if (graphStatus(error) !== 404) throw error;
      }
    },
  };

  return {
    provider: "microsoft",
    project: projectForGraph,
    notifications,

    async listGroups(): Promise<ProviderGroup[]> {
      const groups: ProviderGroup[] = [];
      // The default Contacts folder is not among /me/contactFolders (those are its children).
      // Ask for it by its well-known name; failing that, it is the parent of the listed ones.
      try {
        const main = (await call(() => client.api("/me/contactFolders/contacts").get())) as { id?: string; displayName?: string };
        if (main.id) groups.push({ id: main.id, name: main.displayName ?? "Contacts" });
      } catch (error) {
        if (error instanceof InvalidGrantError) throw error;
      }
      let url: string | undefined = "/me/contactFolders?$top=100";
      while (url) {
        const page: { value?: { id?: string; displayName?: string; parentFolderId?: string }[]; "@odata.nextLink"?: string } = await call(() =>
          client.api(url!).get(),
        );
        for (const f of page.value ?? []) if (f.id) groups.push({ id: f.id, name: f.displayName ?? f.id });
        // The default Contacts folder is not listed; it is the parent of the folders that are.
        const parent = page.value?.[0]?.parentFolderId;
        if (parent && !groups.some((g) => g.id === parent)) groups.unshift({ id: parent, name: "Contacts" });
        url = page["@odata.nextLink"];
      }
      return groups;
    },

    async pull(cursor, onPage, options = {}) {
      type Page = { value?: GraphContact[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string };
      const fetchPage = async (url: string): Promise<Page> => {
        try {
          return await call(() => client.api(url).header("Prefer", `odata.maxpagesize=${opts.pageSize ?? MAX_PAGE}`).get());
        } catch (error) {
          // The nextLink an interrupted round was to go on from: the round starts again.
          if (url === options.resumeFrom && (isExpiredDelta(error) || graphStatus(error) === 400)) throw new ResumeRefusedError();
          if (isExpiredDelta(error)) throw new CursorExpiredError();
          throw error;
        }
      };
      const last = await applyPagesAhead(
        () => fetchPage(options.resumeFrom ?? cursor ?? `${folderPath}/contacts/delta?$select=${GRAPH_CONTACT_SELECT}`),
        (page) => (page["@odata.nextLink"] ? () => fetchPage(page["@odata.nextLink"]!) : null),
        async (page) => {
          const items: PulledContact[] = await mapInSlices(page.value ?? [], (item) => {
            const read = readGraphContact(item, mapping);
            // Delta does not say whether a contact has a photo: every live contact is a candidate
            // (the photo phase asks which have one: contactsWithPhotos).
            return { ...read, contact: projectForGraph(read.contact), photoUrl: read.deleted ? null : `/me/contacts/${read.id}/photo/$value` };
          });
          return onPage({ items, next: page["@odata.nextLink"] ?? null });
        },
      );
      if (!last["@odata.deltaLink"]) throw new Error("Microsoft ended a delta round without a deltaLink");
      return { cursor: last["@odata.deltaLink"], full: !cursor };
    },

    photoQuota: PHOTO_QUOTA,

    async contactsWithPhotos() {
      const ids = new Set<string>();
      const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${HAS_PICTURE_PROPERTY}' and ep/value eq 'true')`;
      let url: string | undefined = `${folderPath}/contacts?$select=id&$top=${MAX_PAGE}&$filter=${encodeURIComponent(filter)}`;
      let requests = 0;
      while (url) {
        const page: { value?: { id?: string }[]; "@odata.nextLink"?: string } = await call(() => client.api(url!).get());
        requests += 1;
        for (const c of page.value ?? []) if (c.id) ids.add(c.id);
        url = page["@odata.nextLink"];
      }
      return { ids, requests };
    },

    async fetchPhotos(contacts) {
      // 4 photos a $batch call (the mailbox's concurrency); binary bodies come back base64-encoded.
      const responses = await batch(
        contacts.map((c, k) => ({ id: String(k), method: "GET", url: `/me/contacts/${encodeURIComponent(c.id)}/photo/$value` })),
        MAILBOX_CONCURRENCY,
      );
      return contacts.map((_, k): Photo | null => {
        const r = responses.get(String(k));
        if (!r || r.status !== 200 || typeof r.body !== "string") return null;
        const data = Buffer.from(r.body, "base64");
        if (data.length === 0 || data.length > SYNCED_PICTURE_MAX_BYTES) return null;
        const type = r.headers?.["Content-Type"] ?? r.headers?.["content-type"];
        return { contentType: type?.split(";")[0] ?? (data[0] === 0x89 ? "image/png" : "image/jpeg"), data };
      });
    },

    async create(items) {
      const responses = await batch(
        items.map((item, k) => ({
          id: String(k),
          method: "POST",
          url: `${folderPath}/contacts`,
          headers: { "Content-Type": "application/json" },
          body: { ...writeGraphContact(item.contact, null, mapping).body, singleValueExtendedProperties: [{ id: STAMP_PROPERTY, value: item.stamp }] },
        })),
      );
      return items.map((_, k) => toResult(responses.get(String(k))));
    },

    async findCreated(stamps) {
      const quote = (v: string) => v.replace(/'/g, "''");
      const responses = await batch(
        stamps.map((stamp, k) => ({
          id: String(k),
          method: "GET",
          url: `${folderPath}/contacts?$select=id&$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq '${STAMP_PROPERTY}' and ep/value eq '${quote(stamp)}')`)}`,
        })),
      );
      const found = new Map<string, string>();
      stamps.forEach((stamp, k) => {
        const value = (responses.get(String(k))?.body as { value?: { id?: string }[] } | undefined)?.value;
        const id = value?.[0]?.id;
        if (id) found.set(stamp, id);
      });
      return found;
    },

    async update(items) {
      // The base is what the provider holds: PATCH only what differs from it (no read needed,
      // so 1,000 updates take 50 $batch calls), with the change key as precondition.
      const requests: BatchRequest[] = [];
      const unchanged = new Map<number, WriteResult>();
      items.forEach((item, k) => {
        const asProvider = writeGraphContact(item.base, null, mapping).body as GraphContact;
        const { body, changed } = writeGraphContact(item.contact, asProvider, mapping);
        if (!changed) {
          unchanged.set(k, { ok: true, id: item.id, etag: item.etag ?? "", contact: item.contact });
          return;
        }
        requests.push({
          id: String(k),
          method: "PATCH",
          url: `/me/contacts/${encodeURIComponent(item.id)}`,
          headers: { "Content-Type": "application/json", ...(item.etag ? { "If-Match": `W/"${item.etag}"` } : {}) },
          body,
        });
      });
      const responses = await batch(requests);
      return items.map((_, k) => unchanged.get(k) ?? toResult(responses.get(String(k))));
    },

    async delete(items) {
      const ids = items.map((i) => i.id);
      const responses = await batch(ids.map((id, k) => ({ id: String(k), method: "DELETE", url: `/me/contacts/${encodeURIComponent(id)}` })));
      return ids.map((_, k): DeleteResult => {
        const r = responses.get(String(k));
        if (r && r.status < 300) return { ok: true };
        if (r?.status === 404) return { ok: false, error: "not_found", message: "Already gone" };
        return refusedAnswer(r);
      });
    },
  };
}

