/**
 * What the emulator sends to subscribers: the validation request, change
 * notification collections and lifecycle notifications, plus a log of every
 * attempt. Sending never blocks or fails the write that caused it: changes
 * are queued per subscription and posted together after `batchDelayMs`.
 * A delivery fails on a non-2xx answer or none within `deliveryTimeoutMs`;
 * it is retried after each of `retryDelaysMs`, then dropped, and a dropped
 * batch of change notifications earns a `missed` lifecycle notification.
 * Real Graph retries for up to 4 hours; the emulator gives up in seconds.
 * Timers and requests under way are cancelled by reset() and close().
 */
import { randomUUID } from "../shared/ids";
import type { Clock } from "../shared/clock";
import type { MicrosoftConfig } from "./config";
import type { ContactChangeType } from "./mailbox";
import type { LifecycleEvent, StoredSubscription, SubscriptionStore } from "./subscription-store";

export type DeliveryKind = "validation" | "notification" | "lifecycle";

/** One attempt to reach a subscriber's endpoint. */
export interface DeliveryRecord {
  kind: DeliveryKind;
  subscriptionId: string;
  url: string;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** "delivered" is a 2xx (validation: 200 with the token echoed as text/plain). */
  outcome: "delivered" | "failed" | "timeout" | "unreachable";
  status: number | null;
  /** Items in the posted collection (0 for validation). */
  notifications: number;
  lifecycleEvent: LifecycleEvent | null;
  /** True on the last failed attempt, after which the batch was dropped. */
  dropped: boolean;
  /** Emulator clock time the attempt started. */
  at: string;
  durationMs: number;
}

export type ValidationResult = "ok" | "status" | "mismatch" | "timeout";

interface PendingChange {
  changeType: ContactChangeType;
  userId: string;
  contactId: string;
  changeKey: string;
}

interface PostResult {
  outcome: "ok" | "timeout" | "unreachable";
  status: number | null;
  contentType: string;
  body: string;
}

const MAX_LOG = 1000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Graph's tokens read like this (seen in the wild): spaces and colons, so only a decoded echo matches. */
function validationToken(): string {
  return `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
}

/** The notificationUrl as given (its own query string kept, as Graph keeps it) plus the token. */
function withValidationToken(url: string, token: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}validationToken=${encodeURIComponent(token)}`;
}

export interface WebhookSenderOptions {
  store: SubscriptionStore;
  clock: Clock;
  tenantId: string;
  config: () => MicrosoftConfig["subscriptions"];
}

export class WebhookSender {
  private readonly pending = new Map<string, PendingChange[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<AbortController>();
  private readonly records: DeliveryRecord[] = [];
  /** Bumped by reset() and close(): work started before then is forgotten, not logged or retried. */
  private generation = 0;
  private closed = false;

  constructor(private readonly opts: WebhookSenderOptions) {}

  deliveries(subscriptionId?: string): DeliveryRecord[] {
    return subscriptionId === undefined ? [...this.records] : this.records.filter((r) => r.subscriptionId === subscriptionId);
  }

  clearDeliveries(): void {
    this.records.length = 0;
  }

  /** POSTs `?validationToken=` to the URL and checks the echo (200, text/plain, the exact token). */
  async validate(subscriptionId: string, url: string): Promise<ValidationResult> {
    const token = validationToken();
    const started = this.opts.clock.now();
    const generation = this.generation;
    const res = await this.post(withValidationToken(url, token), "", "text/plain; charset=utf-8", this.opts.config().validationTimeoutMs);
    const result: ValidationResult =
      res.outcome === "timeout" ? "timeout" : res.status !== 200 ? "status" : res.body === token && /^text\/plain(;|$)/i.test(res.contentType.trim()) ? "ok" : "mismatch";
    if (generation === this.generation) {
      const outcome = result === "ok" ? "delivered" : result === "timeout" ? "timeout" : res.outcome === "unreachable" ? "unreachable" : "failed";
      this.log({ kind: "validation", subscriptionId, url, attempt: 1, outcome, status: res.status, notifications: 0, lifecycleEvent: null, dropped: false }, started);
    }
    return result;
  }

  /** Queues a change for the subscription; the queue is posted as one collection after batchDelayMs. */
  enqueue(sub: StoredSubscription, change: PendingChange): void {
    if (this.closed) return;
    let queue = this.pending.get(sub.id);
    if (!queue) {
      this.pending.set(sub.id, (queue = []));
      this.later(this.opts.config().batchDelayMs, () => this.flush(sub.id));
    }
    queue.push(change);
  }

  /** Sends a lifecycle notification to the subscription's lifecycleNotificationUrl; false if it has none. */
  sendLifecycle(sub: StoredSubscription, event: LifecycleEvent): boolean {
    const url = sub.lifecycleNotificationUrl;
    if (url === null || this.closed) return false;
    const item = {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: iso(sub.expiresAt),
      tenantId: this.opts.tenantId,
      clientState: sub.clientState,
      lifecycleEvent: event,
    };
    void this.attempt({ kind: "lifecycle", subscriptionId: sub.id, url, lifecycleEvent: event, count: 1, body: () => ({ value: [item] }) }, 1);
    return true;
  }

  private flush(subscriptionId: string): void {
    const changes = this.pending.get(subscriptionId) ?? [];
    this.pending.delete(subscriptionId);
    const sub = this.opts.store.get(subscriptionId);
    if (!sub || changes.length === 0) return;
    const { store, tenantId } = this.opts;
    void this.attempt(
      {
        kind: "notification",
        subscriptionId,
        url: sub.notificationUrl,
        lifecycleEvent: null,
        count: changes.length,
        // Built at each attempt: a subscription deleted or expired meanwhile gets nothing more,
        // and a renewal shows in subscriptionExpirationDateTime.
        body: () => {
          const live = store.get(subscriptionId);
          if (!live) return null;
          return {
            value: changes.map((c) => {
              const path = `Users/${c.userId}/Contacts/${c.contactId}`;
              return {
                subscriptionId,
                subscriptionExpirationDateTime: iso(live.expiresAt),
                changeType: c.changeType,
                resource: path,
                resourceData: { "@odata.type": "#Microsoft.Graph.Contact", "@odata.id": path, "@odata.etag": `W/"${c.changeKey}"`, id: c.contactId },
                clientState: live.clientState,
                tenantId,
              };
            }),
          };
        },
        onDropped: () => {
          const live = store.get(subscriptionId);
          if (live) this.sendLifecycle(live, "missed");
        },
      },
      1,
    );
  }

  private async attempt(
    job: { kind: DeliveryKind; subscriptionId: string; url: string; lifecycleEvent: LifecycleEvent | null; count: number; body: () => unknown; onDropped?: () => void },
    attempt: number,
  ): Promise<void> {
    const body = job.body();
    if (body === null || this.closed) return;
    const generation = this.generation;
    const started = this.opts.clock.now();
    const res = await this.post(job.url, JSON.stringify(body), "application/json; charset=utf-8", this.opts.config().deliveryTimeoutMs);
    if (generation !== this.generation) return;
    const ok = res.outcome === "ok" && res.status !== null && res.status >= 200 && res.status < 300;
    const retryDelays = this.opts.config().retryDelaysMs;
    const dropped = !ok && attempt > retryDelays.length;
    this.log(
      {
        kind: job.kind,
        subscriptionId: job.subscriptionId,
        url: job.url,
        attempt,
        outcome: ok ? "delivered" : res.outcome === "ok" ? "failed" : res.outcome,
        status: res.status,
        notifications: job.count,
        lifecycleEvent: job.lifecycleEvent,
        dropped,
      },
      started,
    );
    if (ok) return;
    if (dropped) job.onDropped?.();
    else this.later(retryDelays[attempt - 1] ?? 0, () => void this.attempt(job, attempt + 1));
  }

  private async post(url: string, body: string, contentType: string, timeoutMs: number): Promise<PostResult> {
    const controller = new AbortController();
    this.requests.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body, redirect: "manual", signal: controller.signal });
      const text = await res.text();
      return { outcome: "ok", status: res.status, contentType: res.headers.get("content-type") ?? "", body: text };
    } catch {
      return { outcome: timedOut ? "timeout" : "unreachable", status: null, contentType: "", body: "" };
    } finally {
      clearTimeout(timer);
      this.requests.delete(controller);
    }
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private log(record: Omit<DeliveryRecord, "at" | "durationMs">, started: number): void {
    this.records.push({ ...record, at: iso(started), durationMs: Math.max(0, this.opts.clock.now() - started) });
    if (this.records.length > MAX_LOG) this.records.splice(0, this.records.length - MAX_LOG);
  }

  /** Forgets queued changes, retries, requests under way and the log. */
  reset(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.requests) controller.abort();
    this.pending.clear();
    this.records.length = 0;
  }

  close(): void {
    this.closed = true;
    this.reset();
  }
}
