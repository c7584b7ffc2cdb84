/**
 * The live change-notification subscriptions of one emulator, indexed by
 * mailbox so a contact change costs nothing when nobody listens. A
 * subscription whose expirationDateTime has passed on the emulator clock is
 * gone: every read drops it, so no timer has to follow the clock.
 */
import type { Clock } from "../shared/clock";
import type { ContactChangeType } from "./mailbox";

export const CHANGE_TYPES: readonly ContactChangeType[] = ["created", "updated", "deleted"];

export type LifecycleEvent = "reauthorizationRequired" | "subscriptionRemoved" | "missed";

export const LIFECYCLE_EVENTS: readonly LifecycleEvent[] = ["reauthorizationRequired", "subscriptionRemoved", "missed"];

export interface StoredSubscription {
  id: string;
  /** The mailbox (lower-cased e-mail) whose contacts it watches; also its creator. */
  email: string;
  /** The creating app's client id; only that app sees the subscription through Graph. */
  applicationId: string;
  creatorId: string;
  /** As the client sent it; Graph echoes it unchanged. */
  resource: string;
  /** null: every contact folder of the mailbox (`me/contacts`); else that folder only. */
  folderId: string | null;
  changeType: string;
  changeTypes: ReadonlySet<ContactChangeType>;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  latestSupportedTlsVersion: string;
  expiresAt: number;
  /** Set by a reauthorizationRequired challenge, cleared by reauthorize or a renewal. */
  reauthorizationPending: boolean;
}

export class SubscriptionStore {
  private readonly byId = new Map<string, StoredSubscription>();
  private readonly byEmail = new Map<string, Set<string>>();

  constructor(private readonly clock: Clock) {}

  add(sub: StoredSubscription): void {
    this.byId.set(sub.id, sub);
    let ids = this.byEmail.get(sub.email);
    if (!ids) this.byEmail.set(sub.email, (ids = new Set()));
    ids.add(sub.id);
  }

  /** A live subscription by id (case-insensitive, as Graph ids are GUIDs), or undefined. */
  get(id: string): StoredSubscription | undefined {
    const sub = this.byId.get(id.toLowerCase());
    if (!sub) return undefined;
    if (sub.expiresAt > this.clock.now()) return sub;
    this.remove(sub.id);
    return undefined;
  }

  remove(id: string): StoredSubscription | undefined {
    const sub = this.byId.get(id);
    if (!sub) return undefined;
    this.byId.delete(id);
    const ids = this.byEmail.get(sub.email);
    ids?.delete(id);
    if (ids?.size === 0) this.byEmail.delete(sub.email);
    return sub;
  }

  /** Live subscriptions on a mailbox, oldest first. */
  forMailbox(email: string): StoredSubscription[] {
    const ids = this.byEmail.get(email);
    if (!ids) return [];
    const out: StoredSubscription[] = [];
    for (const id of [...ids]) {
      const sub = this.get(id);
      if (sub) out.push(sub);
    }
    return out;
  }

  all(): StoredSubscription[] {
    return [...this.byEmail.keys()].flatMap((email) => this.forMailbox(email));
  }

  /** The live subscriptions a change to a contact of this folder is reported to. */
  watching(email: string, folderId: string, changeType: ContactChangeType): StoredSubscription[] {
    if (!this.byEmail.has(email)) return [];
    return this.forMailbox(email).filter((s) => s.changeTypes.has(changeType) && (s.folderId === null || s.folderId === folderId));
  }

  reset(): void {
    this.byId.clear();
    this.byEmail.clear();
  }
}
