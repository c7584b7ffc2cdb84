// What a provider family is to the rest of the app. Each provider is one folder,
// lib/sync/providers/<id>/, whose definition.ts exports one of these, and one line of
// registry.ts lists it: pages, components, the OAuth flow, connections, the environment
// (lib/env.ts) and demo mode read everything provider-specific from here.
import type { Dispatcher } from "undici";
import type { Direction } from "@/db/schema";
import type { ProviderEnvSchema } from "@/lib/env";
import type { Locale } from "@/lib/i18n/locales";
import type { ProviderAdapter } from "../model/provider";
import type { RetryPolicy } from "./retry";
import type { ProviderProfile } from "./detect";

/** Where a provider's OAuth client and API are, for this installation. */
export type OAuthConfig = {
  /** No client configured: the app talks to the provider's local emulator (demo mode). */
  demo: boolean;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** The API root the adapter talks to (Google: People API root; Microsoft: Graph root). */
  apiBaseUrl: string;
  redirectUri: string;
  /** The HTTP agent for this provider's requests (outbound/policy.ts): the address rule, which
   * also lets through the local endpoints the provider is configured with (a demo emulator, an
   * endpoint set in the environment), and in demo mode trusts the emulator's certificate. Absent:
   * the installation's agent. */
  agent?: () => Dispatcher;
};

/** How an adapter proves who it is: an OAuth access token, or a username and password
 * (CardDAV's app-specific passwords, sent as HTTP Basic over TLS). */
export type AdapterCredentials =
  | { kind: "bearer"; accessToken: () => Promise<string> }
  /** `origins`: where the password may go (decided at sign-in, stored with it). */
  | { kind: "basic"; username: string; password: string; origins: string[] };

export type AdapterOptions = {
  /** The API root the adapter talks to (CardDAV: the account's address-book home). */
  apiBaseUrl: string;
  credentials: AdapterCredentials;
  /** The synced group: a Google contact group, an Outlook contact folder… */
  groupId: string;
  defaultCountry: string;
  retry?: RetryPolicy;
  /** Contacts per listing page (provider maximum by default; tests use small pages). */
  pageSize?: number;
  /** The HTTP agent of its requests (the installation's when absent). */
  agent?: () => Dispatcher;
};

/** Providers the user signs in to at the provider, which grants us tokens (Google, Microsoft). */
export type OAuthAuth = {
  kind: "oauth";
  config(): OAuthConfig;
  /** Its sign-in endpoints on its emulator answering at `root` (demo mode, tests). */
  emulatorEndpoints(root: string): Pick<OAuthConfig, "authorizeUrl" | "tokenUrl">;
  /** The narrowest scopes that do the job: read-only for one-way. */
  scopes(direction: Direction): string[];
  /** Extra parameters of the authorize request (offline access, account choice). */
  authorizeParams: Record<string, string>;
  /** Whether the granted scopes allow writing (two-way). */
  grantsWrite(scope: string | null | undefined): boolean;
};

/** What a password sign-in is checked against. */
export type PasswordSignIn = { serverUrl: string; username: string; password: string };

/** Providers the user gives a server, a username and an (app-specific) password (CardDAV).
 * Such a grant always allows writing: the server decides per address book. */
export type PasswordAuth = {
  kind: "password";
  /** Checks the credentials and finds the account (discovery); returns the URL the adapter
   * talks to from then on, and the origins the password may be sent to (decided here, once).
   * Throws UserError in words when the server or the password is wrong. */
  verify(input: PasswordSignIn, agent?: () => Dispatcher): Promise<{ apiBaseUrl: string; origins: string[] }>;
  /** The HTTP agent of its requests (outbound/policy.ts): in demo mode it also lets through the
   * demo server the app runs. */
  agent: () => Dispatcher;
};

export type ProviderDefinition<Id extends string = string> = {
  id: Id;
  /** What the browser needs: names, how addresses are recognised. */
  profile: ProviderProfile;
  /** How its groups are described under "Sync group", in each language of the interface. */
  groupHint: Record<Locale, string>;
  /** Its environment variables (its folder's env.ts), validated with the app's (lib/env.ts). */
  env: ProviderEnvSchema;
  /** The administrator configured it here (an OAuth client): once any provider is, demo mode is
   * off unless DEMO_MODE says otherwise. A provider that needs nothing configured says false. */
  configured(): boolean;
  auth: OAuthAuth | PasswordAuth;
  /** How changes made at the provider reach Tandem between runs: the provider notifies us
   * (Graph), or a cheap check every minute while the user is active (adapter.changedSince). */
  live: "notifications" | "checks";
  /** Offered on this installation: configured, or served locally in demo mode. */
  available(): boolean;
  demo: {
    /** Demo mode serves this provider locally (an emulator, or a real server run by the app). */
    active(): boolean;
    /** The local server of this provider in demo mode. */
    emulatorUrl(): string;
    /** Starts that server, seeded with the demo accounts, or finds it running (a dev reload,
     * `npm run emulators`). Its code (demo-server.ts in the folder) is loaded only then: the
     * emulators are no part of the app outside demo mode. */
    start(): Promise<void>;
    /** A seeded account to suggest in the wizard. */
    exampleAccount: string;
    /** Its password, for providers signed in to with one (the demo's only; shown in the wizard). */
    examplePassword?: string;
    /** Browser pages of the emulator that reach the browser through the app
     * (app/api/demo/[provider]): paths below the emulator's root that may be relayed. */
    relayedPages?: RegExp;
  };
  createAdapter(opts: AdapterOptions): ProviderAdapter;
};
