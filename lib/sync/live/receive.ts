// What our notification routes answer (app/api/sync/notifications/…), kept apart from Next so
// that tests can serve it from a plain HTTP server too.
// - Graph's validation request (`?validationToken=…`) is echoed as text/plain: it is the only
//   thing answered without a subscription's secret.
// - A change notification must name a subscription we hold and carry its client state (checked
//   in constant time against its hash); one that does not refuses the whole batch and starts
//   nothing. A good one asks for a run of its connection, and nothing more: the answer goes back
//   within milliseconds, the run happens in a worker.
// - Lifecycle notifications: reauthorizationRequired → the next run renews (which reauthorizes);
//   subscriptionRemoved → forgotten, the next run subscribes again; missed → a run. Each also
//   asks for a run at once.
import { z } from "zod";
import type { DB } from "@/db/client";
import { requestRun } from "@/db/queries/sync/run-requests";
import * as subscriptions from "@/db/queries/sync/subscriptions";

export type Answer = { status: number; body: string; headers: Record<string, string> };

/** Bodies larger than this are refused unread (Graph batches notifications; ours are small). */
export const MAX_NOTIFICATION_BYTES = 1_000_000;
const MAX_VALIDATION_TOKEN = 2_048;

const text = (status: number, body = ""): Answer => ({ status, body, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });

const changeSchema = z.object({
  value: z
    .array(z.object({ subscriptionId: z.string().min(1).max(200), clientState: z.string().max(512).nullish(), changeType: z.string().max(100).optional() }).loose())
    .min(1)
    .max(1_000),
});
const lifecycleSchema = z.object({
  value: z
    .array(
      z
        .object({
          subscriptionId: z.string().min(1).max(200),
          clientState: z.string().max(512).nullish(),
          lifecycleEvent: z.enum(["reauthorizationRequired", "subscriptionRemoved", "missed"]),
        })
        .loose(),
    )
    .min(1)
    .max(1_000),
});

/** The validation echo, if this is Graph's validation request. */
function validation(url: URL): Answer | null {
  const token = url.searchParams.get("validationToken");
  if (token === null) return null;
  if (token.length === 0 || token.length > MAX_VALIDATION_TOKEN) return text(400);
  return text(200, token);
}

/** Parses and authenticates a batch: every item must name a subscription we hold with its
 * client state. Returns the subscriptions (one per item), or null (refuse all). */
async function authenticated<T extends { subscriptionId: string; clientState?: string | null }>(db: DB, items: T[]) {
  const held = await subscriptions.bySubscriptionIds(db, [...new Set(items.map((i) => i.subscriptionId))]);
  const byId = new Map(held.map((s) => [s.subscriptionId, s]));
  const matched = items.map((item) => {
    const sub = byId.get(item.subscriptionId);
    return sub && typeof item.clientState === "string" && subscriptions.clientStateMatches(sub, item.clientState) ? { item, sub } : null;
  });
  return matched.every((m) => m !== null) ? (matched as { item: T; sub: (typeof held)[number] }[]) : null;
}

function parse<T>(schema: z.ZodType<T>, body: string): T | null {
  if (Buffer.byteLength(body) > MAX_NOTIFICATION_BYTES) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** POST /api/sync/notifications */
export async function answerChangeNotifications(db: DB, url: URL, body: string): Promise<Answer> {
  const echo = validation(url);
  if (echo) return echo;
  const batch = parse(changeSchema, body);
  if (!batch) return text(400);
  const matched = await authenticated(db, batch.value);
  if (!matched) return text(403);
  for (const connectionId of new Set(matched.map((m) => m.sub.connectionId))) await requestRun(db, connectionId, "notification", { unlessManual: true });
  return text(202);
}

/** POST /api/sync/notifications/lifecycle */
export async function answerLifecycleNotifications(db: DB, url: URL, body: string): Promise<Answer> {
  const echo = validation(url);
  if (echo) return echo;
  const batch = parse(lifecycleSchema, body);
  if (!batch) return text(400);
  const matched = await authenticated(db, batch.value);
  if (!matched) return text(403);
  for (const { item, sub } of matched) {
    if (item.lifecycleEvent === "subscriptionRemoved") await subscriptions.forget(db, { subscriptionId: sub.subscriptionId });
    if (item.lifecycleEvent === "reauthorizationRequired") await subscriptions.renewSoon(db, sub.subscriptionId);
    await requestRun(db, sub.connectionId, "notification", { unlessManual: true });
  }
  return text(202);
}

/** A request's body as text, or null when it is larger than MAX_NOTIFICATION_BYTES (the rest is
 * not read). */
export async function readNotificationBody(request: Request): Promise<string | null> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_NOTIFICATION_BYTES) return null;
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_NOTIFICATION_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A Next route handler around one of the answers above. */
export function notificationRoute(answer: (db: DB, url: URL, body: string) => Promise<Answer>, getDb: () => Promise<DB>) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const body = url.searchParams.has("validationToken") ? "" : await readNotificationBody(request);
    const result = body === null ? { ...text(413), headers: { ...text(413).headers, connection: "close" } } : await answer(await getDb(), url, body);
    return new Response(result.body, { status: result.status, headers: result.headers });
  };
}
