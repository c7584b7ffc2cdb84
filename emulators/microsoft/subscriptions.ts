/**
 * Graph change-notification subscriptions on personal contacts, and the
 * admin calls tests use to inspect and poke them.
 *
 * What Microsoft's documentation says (learn.microsoft.com/graph: subscription
 * resource, subscription-post-subscriptions, subscription-update,
 * subscription-delete, subscription-reauthorize, change-notifications-overview,
 * change-notifications-delivery-webhooks, change-notifications-lifecycle-events,
 * outlook-change-notifications-overview; checked 2026):
 * - POST /subscriptions {changeType, notificationUrl, resource, expirationDateTime,
 *   clientState? (≤ 128 chars), lifecycleNotificationUrl?, latestSupportedTlsVersion?}
 *   → 201 with the subscription. Contacts need Contacts.Read (the .Shared scopes do not
 *   work for subscriptions); delegated tokens reach only the signed-in user's mailbox.
 *   `me/contacts` (= `users/{id}/contacts`) covers *all* personal contacts of the mailbox;
 *   `users/{id}/contactFolders/{id}/contacts` one folder.
 * - Both URLs must be https. Before answering, Graph POSTs to each
 *   `{url}?validationToken={url-encoded token}` (Content-Type text/plain) and needs, within
 *   10 s, 200 with the decoded token as text/plain; else 400.
 * - Outlook message/event/contact subscriptions last at most 10,080 minutes (under 7 days)
 *   without resource data; an expirationDateTime under 45 minutes ahead is raised to 45
 *   minutes. At most 1,000 active subscriptions per mailbox, all apps together.
 * - PATCH {expirationDateTime and/or notificationUrl} renews (200 with the subscription) and
 *   also reauthorizes; DELETE → 204; POST /subscriptions/{id}/reauthorize → 204.
 *   lifecycleNotificationUrl cannot be added later: delete and create again.
 * - Notifications: `{"value":[changeNotification]}` POSTed to notificationUrl; 2xx within 3 s
 *   or Graph retries for up to 4 hours, then drops. Lifecycle notifications
 *   (reauthorizationRequired; subscriptionRemoved and missed for Outlook personal contacts)
 *   go to lifecycleNotificationUrl only; without one there are none.
 *
 * Where the emulator simplifies or guesses:
 * - `http://` URLs are also accepted on loopback hosts (127.0.0.0/8, [::1], localhost),
 *   because the tests run the app over plain http on loopback. Real Graph refuses them.
 * - Error messages marked (seen) were reported by users of the live service; those marked
 *   (guess) are ours. An expirationDateTime in the past is refused (guess); the documented
 *   45-minute floor applies to future times only. Live Graph is reported to refuse more than
 *   10,070 minutes although the docs say 10,080: `subscriptions.maxExpirationMinutes`.
 * - No resource data (includeResourceData is refused), no `$filter` on the resource, no
 *   automatic reauthorizationRequired (the admin API fires lifecycle events), and change
 *   notifications keep flowing while a reauthorization is pending. Retries take seconds.
 * - The app's own writes are notified too, as on Graph. Notifications carry no `id`.
 */
import { z } from "zod";
import { emptyReply, jsonReply, parseJsonBody, withoutTrailingSlashes, type ApiRequest, type Reply } from "../shared/http";
import { randomUUID } from "../shared/ids";
import { graphBase, jsonBody, type GraphContext } from "./context";
import { graphError } from "./errors";
import type { Mailbox } from "./mailbox";
import { normalizeGraphPath } from "./routes";
import type { MicrosoftState } from "./state";
import { CHANGE_TYPES, LIFECYCLE_EVENTS, type LifecycleEvent, type StoredSubscription } from "./subscription-store";
import type { ValidationResult } from "./webhooks";

/** Contacts.Read or wider; the .Shared scopes do not support subscriptions (outlook-subscription-notes). */
const SUBSCRIBE_SCOPES = ["Contacts.Read", "Contacts.ReadWrite"];
const TLS_VERSIONS = ["v1_0", "v1_1", "v1_2", "v1_3"];
const MAX_CLIENT_STATE = 128;
const MINUTE_MS = 60_000;

type Operation = "Create" | "Update" | "Get" | "Delete" | "Reauthorize";

/** The subscription service wraps the workload's answer: `Operation: X; Exception: [Status Code: Y; Reason: Z]` (seen). */
function extensionError(status: number, operation: Operation, reason: string): Error {
  const statusName = status === 400 ? "BadRequest" : status === 403 ? "Forbidden" : status === 404 ? "NotFound" : String(status);
  return graphError(status, "ExtensionError", `Operation: ${operation}; Exception: [Status Code: ${statusName}; Reason: ${reason}]`);
}

const invalidRequest = (message: string): Error => graphError(400, "InvalidRequest", message);
const notFound = (operation: Operation): Error => extensionError(404, operation, "The object was not found."); // (guess)
const accessDenied = (operation: Operation): Error => extensionError(403, operation, "Access is denied. Check credentials and try again."); // (guess)

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** https, or http on a loopback host (the emulator's allowance for local tests). */
function checkUrl(property: "NotificationUrl" | "LifecycleNotificationUrl", raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidRequest(`Invalid ${property === "NotificationUrl" ? "notification" : "lifecycle notification"} url='${raw}'.`); // (seen)
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (scheme === "https" || (scheme === "http" && isLoopback(url.hostname))) return raw;
  throw invalidRequest(`${property} scheme='${scheme}' is not supported.`); // (seen for NotificationUrl)
}

function parseChangeTypes(raw: string): Set<(typeof CHANGE_TYPES)[number]> {
  const out = new Set<(typeof CHANGE_TYPES)[number]>();
  for (const part of raw.split(",")) {
    const value = part.trim().toLowerCase();
    const known = CHANGE_TYPES.find((t) => t === value);
    if (!known) throw invalidRequest(`'${part.trim()}' is not a valid changeType; use created, updated or deleted, comma-separated.`); // (guess)
    out.add(known);
  }
  return out;
}

/** `me/contacts`, `me/contactFolders/{id}/contacts`, or their `users/{id|upn}/` forms; leading slash optional. */
function parseResource(raw: string): { user: string | null; folder: string | null } | null {
  if (raw.includes("?")) return null;
  const normalized = normalizeGraphPath(raw.startsWith("/") ? raw : `/${raw}`);
  if (/^\/me\/contacts$/i.test(normalized.path)) return { user: normalized.user, folder: null };
  const folder = /^\/me\/contactFolders\/([^/]+)\/contacts$/i.exec(normalized.path);
  return folder ? { user: normalized.user, folder: folder[1] ?? "" } : null;
}

function checkScopes(ctx: GraphContext, operation: Operation): void {
  if (!ctx.scopes.some((s) => SUBSCRIBE_SCOPES.includes(s))) throw accessDenied(operation);
}

/** The new expiry: in the future, at most maxExpirationMinutes ahead, raised to minExpirationMinutes. */
function expiryFrom(ctx: GraphContext, raw: string, operation: Operation): number {
  const requested = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(requested)) throw invalidRequest(`Invalid expirationDateTime '${raw}'.`); // (guess)
  const { maxExpirationMinutes, minExpirationMinutes } = ctx.state.config.subscriptions;
  const now = ctx.state.clock.now();
  if (requested <= now) throw extensionError(400, operation, `Subscription expiration must be in the future; '${raw}' is not.`); // (guess)
  if (requested > now + maxExpirationMinutes * MINUTE_MS) throw graphError(400, "ExtensionError", `Subscription expiration can only be ${maxExpirationMinutes} minutes in the future.`); // (seen)
  return Math.max(requested, now + minExpirationMinutes * MINUTE_MS);
}

function validationError(result: Exclude<ValidationResult, "ok">): Error {
  if (result === "timeout") return invalidRequest("Subscription validation request timed out."); // (seen)
  if (result === "mismatch") return invalidRequest("Subscription validation request failed. Response must exactly match validationToken query parameter."); // (seen)
  return invalidRequest("Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request."); // (seen)
}

async function validateEndpoint(ctx: GraphContext, subscriptionId: string, url: string): Promise<void> {
  const result = await ctx.state.webhooks.validate(subscriptionId, url);
  if (result !== "ok") throw validationError(result);
}

function render(ctx: GraphContext, sub: StoredSubscription, withContext: boolean): Record<string, unknown> {
  return {
    ...(withContext ? { "@odata.context": `${graphBase(ctx.state)}/$metadata#subscriptions/$entity` } : {}),
    id: sub.id,
    resource: sub.resource,
    applicationId: sub.applicationId,
    changeType: sub.changeType,
    clientState: sub.clientState,
    notificationUrl: sub.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
    expirationDateTime: iso(sub.expiresAt),
    creatorId: sub.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: sub.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
    notificationContentType: null,
  };
}

/** A live subscription of this app and this mailbox; others' are invisible. */
function visible(ctx: GraphContext, operation: Operation): StoredSubscription {
  const sub = ctx.state.subscriptions.get(ctx.params[0] ?? "");
  if (!sub || sub.email !== ctx.mailbox.email || sub.applicationId !== ctx.clientId) throw notFound(operation);
  checkScopes(ctx, operation);
  return sub;
}

const optionalString = z.string().nullish();
const createBody = z.object({
  changeType: optionalString,
  notificationUrl: optionalString,
  lifecycleNotificationUrl: optionalString,
  resource: optionalString,
  expirationDateTime: optionalString,
  clientState: optionalString,
  latestSupportedTlsVersion: optionalString,
  includeResourceData: z.boolean().nullish(),
});

function parseBody<T>(schema: z.ZodType<T>, ctx: GraphContext): T {
  const parsed = schema.safeParse(jsonBody(ctx.req));
  if (!parsed.success) throw invalidRequest(`Invalid subscription payload: ${z.prettifyError(parsed.error)}`); // (guess)
  return parsed.data;
}

function required(value: string | null | undefined, property: string): string {
  if (value === undefined || value === null || value.trim() === "") throw invalidRequest(`${property} is a required property for subscription creation.`); // (seen for expirationDateTime)
  return value;
}

export async function createSubscription(ctx: GraphContext): Promise<Reply> {
  const body = parseBody(createBody, ctx);
  const changeType = required(body.changeType, "changeType");
  const notificationUrl = checkUrl("NotificationUrl", required(body.notificationUrl, "notificationUrl"));
  const resource = required(body.resource, "resource");
  const expirationDateTime = required(body.expirationDateTime, "expirationDateTime");
  const lifecycleNotificationUrl = body.lifecycleNotificationUrl ? checkUrl("LifecycleNotificationUrl", body.lifecycleNotificationUrl) : null;
  if (body.includeResourceData) throw invalidRequest("Change notifications with resource data (includeResourceData) are not emulated."); // (emulator)
  if (body.clientState && body.clientState.length > MAX_CLIENT_STATE) throw invalidRequest(`clientState must not exceed ${MAX_CLIENT_STATE} characters.`); // (guess)
  const tls = body.latestSupportedTlsVersion ?? "v1_2";
  if (!TLS_VERSIONS.includes(tls)) throw invalidRequest(`Invalid latestSupportedTlsVersion '${tls}'.`); // (guess)
  const changeTypes = parseChangeTypes(changeType);

  const target = parseResource(resource);
  if (!target) throw extensionError(400, "Create", `Unsupported resource '${resource}'; the emulator supports me/contacts and me/contactFolders/{id}/contacts (or users/{id}/…).`); // (guess)
  const { mailbox, state } = ctx;
  if (target.user !== null && target.user !== mailbox.userId.toLowerCase() && target.user !== mailbox.email) throw accessDenied("Create");
  checkScopes(ctx, "Create");
  let folderId: string | null = null;
  if (target.folder !== null) {
    const folder = mailbox.folder(target.folder);
    if (!folder) throw extensionError(404, "Create", "The specified object was not found in the store."); // (guess)
    folderId = folder.id;
  }
  const expiresAt = expiryFrom(ctx, expirationDateTime, "Create");
  if (state.subscriptions.forMailbox(mailbox.email).length >= state.config.subscriptions.maxPerMailbox) {
    throw extensionError(403, "Create", "Maximum number of subscriptions has been reached"); // (seen, on OneDrive)
  }

  const id = randomUUID();
  await validateEndpoint(ctx, id, notificationUrl);
  if (lifecycleNotificationUrl !== null) await validateEndpoint(ctx, id, lifecycleNotificationUrl);
  const sub: StoredSubscription = {
    id,
    email: mailbox.email,
    applicationId: ctx.clientId,
    creatorId: mailbox.userId,
    resource,
    folderId,
    changeType,
    changeTypes,
    notificationUrl,
    lifecycleNotificationUrl,
    clientState: body.clientState ?? null,
    latestSupportedTlsVersion: tls,
    // The validation took real time; the expiry stays what was asked (or the floor).
    expiresAt,
    reauthorizationPending: false,
  };
  state.subscriptions.add(sub);
  return jsonReply(201, render(ctx, sub, true));
}

export function listSubscriptions(ctx: GraphContext): Reply {
  const subs = ctx.state.subscriptions.forMailbox(ctx.mailbox.email).filter((s) => s.applicationId === ctx.clientId);
  return jsonReply(200, { "@odata.context": `${graphBase(ctx.state)}/$metadata#subscriptions`, value: subs.map((s) => render(ctx, s, false)) });
}

export function getSubscription(ctx: GraphContext): Reply {
  return jsonReply(200, render(ctx, visible(ctx, "Get"), true));
}

const updateBody = z.object({ expirationDateTime: optionalString, notificationUrl: optionalString, lifecycleNotificationUrl: optionalString });

export async function updateSubscription(ctx: GraphContext): Promise<Reply> {
  const sub = visible(ctx, "Update");
  const body = parseBody(updateBody, ctx);
  if (body.lifecycleNotificationUrl !== undefined && body.lifecycleNotificationUrl !== sub.lifecycleNotificationUrl) {
    throw invalidRequest("lifecycleNotificationUrl cannot be changed on an existing subscription; delete it and create a new one."); // (guess)
  }
  if (!body.expirationDateTime && !body.notificationUrl) throw invalidRequest("Subscription must contain either the 'expirationDateTime' or 'notificationUrl' property and its value."); // (seen)
  const expiresAt = body.expirationDateTime ? expiryFrom(ctx, body.expirationDateTime, "Update") : sub.expiresAt;
  if (body.notificationUrl && body.notificationUrl !== sub.notificationUrl) {
    const url = checkUrl("NotificationUrl", body.notificationUrl);
    await validateEndpoint(ctx, sub.id, url);
    sub.notificationUrl = url;
  }
  sub.expiresAt = expiresAt;
  sub.reauthorizationPending = false;
  return jsonReply(200, render(ctx, sub, true));
}

export function deleteSubscription(ctx: GraphContext): Reply {
  const sub = visible(ctx, "Delete");
  ctx.state.subscriptions.remove(sub.id);
  return emptyReply(204);
}

export function reauthorizeSubscription(ctx: GraphContext): Reply {
  const sub = visible(ctx, "Reauthorize");
  sub.reauthorizationPending = false;
  return emptyReply(204);
}

/** Removes the subscription and tells its lifecycle URL, if it has one. */
export function removeSubscription(state: MicrosoftState, sub: StoredSubscription): boolean {
  state.subscriptions.remove(sub.id);
  return state.webhooks.sendLifecycle(sub, "subscriptionRemoved");
}

/** Sends a lifecycle event as Graph would; subscriptionRemoved also removes the subscription. */
export function fireLifecycleEvent(state: MicrosoftState, sub: StoredSubscription, event: LifecycleEvent): boolean {
  if (event === "subscriptionRemoved") return removeSubscription(state, sub);
  if (event === "reauthorizationRequired") sub.reauthorizationPending = true;
  return state.webhooks.sendLifecycle(sub, event);
}

/** A mailbox whose grants were revoked loses its subscriptions, each with a subscriptionRemoved. */
export function removeMailboxSubscriptions(state: MicrosoftState, mailbox: Mailbox): number {
  const subs = state.subscriptions.forMailbox(mailbox.email);
  for (const sub of subs) removeSubscription(state, sub);
  return subs.length;
}

function adminView(sub: StoredSubscription): Record<string, unknown> {
  return {
    id: sub.id,
    email: sub.email,
    applicationId: sub.applicationId,
    resource: sub.resource,
    changeType: sub.changeType,
    expirationDateTime: iso(sub.expiresAt),
    notificationUrl: sub.notificationUrl,
    lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
    clientState: sub.clientState,
    reauthorizationPending: sub.reauthorizationPending,
  };
}

const lifecycleSchema = z.object({ event: z.enum(LIFECYCLE_EVENTS as [LifecycleEvent, ...LifecycleEvent[]]) });

/**
 * The Microsoft-only admin calls (null for any other path, which then goes to the shared admin API):
 * `GET /__admin/subscriptions[?email=]`, `GET /__admin/accounts/{email}/subscriptions`,
 * `POST /__admin/subscriptions/{id}/lifecycle {event}`, `GET|DELETE /__admin/notifications[?subscriptionId=]`.
 */
export function handleSubscriptionAdmin(req: ApiRequest, state: MicrosoftState): Reply | null {
  const path = withoutTrailingSlashes(req.path);
  const m = req.method;
  const byAccount = /^\/__admin\/accounts\/([^/]+)\/subscriptions$/.exec(path);
  const lifecycle = /^\/__admin\/subscriptions\/([^/]+)\/lifecycle$/.exec(path);
  if (path === "/__admin/subscriptions" && m === "GET") {
    const email = req.query.get("email")?.toLowerCase();
    const subs = email === undefined ? state.subscriptions.all() : state.subscriptions.forMailbox(email);
    return jsonReply(200, { subscriptions: subs.map(adminView) });
  }
  if (byAccount && m === "GET") {
    const mailbox = state.mailbox(byAccount[1] ?? "");
    if (!mailbox) return jsonReply(404, { error: `No account ${byAccount[1] ?? ""}.` });
    return jsonReply(200, { subscriptions: state.subscriptions.forMailbox(mailbox.email).map(adminView) });
  }
  if (lifecycle && m === "POST") {
    const sub = state.subscriptions.get(lifecycle[1] ?? "");
    if (!sub) return jsonReply(404, { error: `No live subscription ${lifecycle[1] ?? ""}.` });
    const parsed = lifecycleSchema.safeParse(parseJsonBody(req.body));
    if (!parsed.success) return jsonReply(400, { error: `Body must be {"event": ${LIFECYCLE_EVENTS.map((e) => `"${e}"`).join(" | ")}}.` });
    const sent = fireLifecycleEvent(state, sub, parsed.data.event);
    return jsonReply(202, { subscriptionId: sub.id, lifecycleEvent: parsed.data.event, sent });
  }
  if (path === "/__admin/notifications") {
    if (m === "GET") return jsonReply(200, { deliveries: state.webhooks.deliveries(req.query.get("subscriptionId") ?? undefined) });
    if (m === "DELETE") {
      state.webhooks.clearDeliveries();
      return jsonReply(200, { deliveries: [] });
    }
  }
  return null;
}
