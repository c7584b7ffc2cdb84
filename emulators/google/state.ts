/**
 * Everything one Google emulator instance holds in memory: accounts, OAuth
 * grants, the clock, injected faults, usage stats and config. `reset()`
 * forgets it all; nothing is persisted.
 */
import { Clock } from "../shared/clock";
import { FaultInjector } from "../shared/faults";
import { GrantStore } from "../shared/grants";
import { IdTokenSigner } from "../shared/jwt";
import type { OAuthClientPolicy } from "../shared/oauth-clients";
import { TokenSealer } from "../shared/opaque-token";
import { ConcurrencyGate, WindowCounter } from "../shared/rate-limit";
import { defaultName } from "../shared/names";
import { UsageStats } from "../shared/stats";
import { GoogleAccount } from "./account";
import { googleConfigSchema, type GoogleConfig } from "./config";
import { PhotoStore } from "./photo-store";

export const GOOGLE_SCOPES = {
  contacts: "https://www.googleapis.com/auth/contacts",
  contactsReadonly: "https://www.googleapis.com/auth/contacts.readonly",
  email: "https://www.googleapis.com/auth/userinfo.email",
  profile: "https://www.googleapis.com/auth/userinfo.profile",
  openid: "openid",
} as const;

export const DEFAULT_MINTED_SCOPES = [GOOGLE_SCOPES.contacts, GOOGLE_SCOPES.email, GOOGLE_SCOPES.profile, GOOGLE_SCOPES.openid];

export class GoogleState {
  readonly clock = new Clock();
  readonly faults = new FaultInjector();
  readonly stats = new UsageStats();
  readonly grants = new GrantStore({ code: "4/0A", access: "ya29.a0", refresh: "1//0g" });
  readonly signer = new IdTokenSigner();
  readonly sealer = new TokenSealer();
  readonly photos = new PhotoStore();
  readonly quotaWindows = new WindowCounter();
  readonly mutationGate = new ConcurrencyGate();
  private readonly accounts = new Map<string, GoogleAccount>();
  config: GoogleConfig;
  baseUrl = "";

  constructor(
    private readonly initialConfig: GoogleConfig = googleConfigSchema.parse({}),
    readonly clients: OAuthClientPolicy = {},
  ) {
    this.config = initialConfig;
  }

  setBaseUrl(url: string): void {
    this.baseUrl = url;
    this.photos.setBaseUrl(url);
  }

  account(email: string): GoogleAccount | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  accountList(): GoogleAccount[] {
    return [...this.accounts.values()];
  }

  /** Creates the account if needed; the name defaults to the e-mail's local part. */
  ensureAccount(email: string, name: string | null): { account: GoogleAccount; created: boolean } {
    const key = email.toLowerCase();
    const existing = this.accounts.get(key);
    if (existing) {
      if (name) existing.name = name;
      return { account: existing, created: false };
    }
    const account = new GoogleAccount(key, name ?? defaultName(key), { clock: this.clock, photos: this.photos });
    this.accounts.set(key, account);
    return { account, created: true };
  }

  reset(): void {
    this.accounts.clear();
    this.grants.reset();
    this.photos.reset();
    this.quotaWindows.reset();
    this.config = this.initialConfig;
  }
}
