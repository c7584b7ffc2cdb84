/** Everything one Microsoft emulator instance holds in memory; `reset()` forgets it all. */
import { Clock } from "../shared/clock";
import { FaultInjector } from "../shared/faults";
import { GrantStore } from "../shared/grants";
import { IdTokenSigner } from "../shared/jwt";
import type { OAuthClientPolicy } from "../shared/oauth-clients";
import { TokenSealer } from "../shared/opaque-token";
import { ConcurrencyGate, WindowCounter } from "../shared/rate-limit";
import { defaultName } from "../shared/names";
import { UsageStats } from "../shared/stats";
import { microsoftConfigSchema, type MicrosoftConfig } from "./config";
import { Mailbox, type ContactChangeType, type StoredContact } from "./mailbox";
import { SubscriptionStore } from "./subscription-store";
import { WebhookSender } from "./webhooks";

/** Tenant id of personal Microsoft accounts (MSA). */
export const MSA_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

export const DEFAULT_MINTED_SCOPES = ["openid", "profile", "email", "offline_access", "User.Read", "Contacts.ReadWrite"];

export class MicrosoftState {
  readonly clock = new Clock();
  readonly faults = new FaultInjector();
  readonly stats = new UsageStats();
  readonly grants = new GrantStore({ code: "M.C5_BAY.2.U.", access: "EwB", refresh: "M.C5_BL2.0.U.-" });
  readonly signer = new IdTokenSigner();
  readonly sealer = new TokenSealer();
  readonly windows = new WindowCounter();
  readonly gate = new ConcurrencyGate();
  readonly subscriptions = new SubscriptionStore(this.clock);
  readonly webhooks = new WebhookSender({ store: this.subscriptions, clock: this.clock, tenantId: MSA_TENANT_ID, config: () => this.config.subscriptions });
  private readonly mailboxes = new Map<string, Mailbox>();
  config: MicrosoftConfig;
  baseUrl = "";

  constructor(
    private readonly initialConfig: MicrosoftConfig = microsoftConfigSchema.parse({}),
    readonly clients: OAuthClientPolicy = {},
  ) {
    this.config = initialConfig;
  }

  mailbox(email: string): Mailbox | undefined {
    return this.mailboxes.get(email.toLowerCase());
  }

  mailboxList(): Mailbox[] {
    return [...this.mailboxes.values()];
  }

  ensureMailbox(email: string, name: string | null): { mailbox: Mailbox; created: boolean } {
    const key = email.toLowerCase();
    const existing = this.mailboxes.get(key);
    if (existing) {
      if (name) existing.name = name;
      return { mailbox: existing, created: false };
    }
    const mailbox = new Mailbox(key, name ?? defaultName(key), this.clock, (m, contact, changeType) => this.notifyContactChange(m, contact, changeType));
    this.mailboxes.set(key, mailbox);
    return { mailbox, created: true };
  }

  /** Queues a change notification for each live subscription watching the contact's folder. */
  private notifyContactChange(mailbox: Mailbox, contact: StoredContact, changeType: ContactChangeType): void {
    for (const sub of this.subscriptions.watching(mailbox.email, contact.folderId, changeType)) {
      this.webhooks.enqueue(sub, { changeType, userId: mailbox.userId, contactId: contact.id, changeKey: contact.changeKey });
    }
  }

  reset(): void {
    this.subscriptions.reset();
    this.webhooks.reset();
    this.mailboxes.clear();
    this.grants.reset();
    this.windows.reset();
    this.config = this.initialConfig;
  }
}
