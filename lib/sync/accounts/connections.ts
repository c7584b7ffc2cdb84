// Creating connections and building the provider adapter a connection talks through.
import { count, eq } from "drizzle-orm";
import type { Dispatcher } from "undici";
import type { DB } from "@/db/client";
import { env } from "@/lib/env";
import { companies, syncConnections, type Direction, type Provider, type SyncConnection, type Visibility } from "@/db/schema";
import { ensureSyncCustomFields } from "../engine/crm-side";
import type { ProviderAdapter } from "../model/provider";
import { providerDefinition } from "../providers/registry";
import type { RetryPolicy } from "../providers/retry";
import type { AdapterCredentials } from "../providers/definition";
import { openJson, sealJson } from "./secret-box";
import { getAccessToken as lifecycleToken, readTokens, tokenEndpointFor, type StoredTokens } from "./tokens";

/** What a password sign-in stores (sealed, like OAuth tokens): where the account's address
 * books are, the credentials, and the origins the password may be sent to (decided at sign-in;
 * connections made before that was stored: the address books' own origin). */
export type StoredPassword = { kind: "password"; apiBaseUrl: string; username: string; password: string; origins: string[] };

export function readPassword(conn: { tokens: string | null }): StoredPassword {
  if (!conn.tokens) throw new Error("This connection has no credentials");
  const secret = openJson<Omit<StoredPassword, "origins"> & { origins?: string[] }>(conn.tokens);
  if (secret.kind !== "password") throw new Error("This connection signs in with OAuth");
  return { ...secret, origins: secret.origins ?? [new URL(secret.apiBaseUrl).origin] };
}

/** Whether the connection's grant allows writing to the address book (two-way). */
export function grantAllowsWrite(conn: SyncConnection): boolean {
  const { auth } = providerDefinition(conn.provider);
  return auth.kind === "password" || auth.grantsWrite(readTokens(conn).scope);
}

export type NewConnection = {
  companyId: string;
  userId: string;
  provider: Provider;
  accountEmail: string;
  tokens: StoredTokens | StoredPassword;
  groupId: string | null;
  groupName?: string | null;
  direction: Direction;
  visibility: Visibility;
};

/** Whether a user may add one more connection (MAX_CONNECTIONS_PER_USER): each is a background
 * sync the installation runs, and a server the app sends requests to on the user's word. */
export async function hasRoomForConnection(db: DB, userId: string): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(syncConnections).where(eq(syncConnections.userId, userId));
  return (row?.n ?? 0) < env().MAX_CONNECTIONS_PER_USER;
}

/** Stores a connection (tokens sealed) and creates the company's sync custom fields the first
 * time any connection is configured. */
export async function createConnection(db: DB, input: NewConnection): Promise<string> {
  await ensureSyncCustomFields(db, input.companyId);
  const [row] = await db
    .insert(syncConnections)
    .values({
      companyId: input.companyId,
      userId: input.userId,
      provider: input.provider,
      accountEmail: input.accountEmail.toLowerCase(),
      tokens: sealJson(input.tokens),
      groupId: input.groupId,
      groupName: input.groupName ?? null,
      direction: input.direction,
      visibility: input.visibility,
    })
    .returning({ id: syncConnections.id });
  if (!row) throw new Error("insert returned no row");
  return row.id;
}

export type AdapterOverrides = {
  /** The API root to talk to instead of the configured one (tests and benchmarks: an emulator);
   * OAuth providers only (a password sign-in keeps the server it was given). */
  apiBaseUrl?: string;
  getAccessToken?: () => Promise<string>;
  /** The HTTP agent to use instead of the provider's (tests: one whose resolver knows their host
   * names). */
  agent?: () => Dispatcher;
  retry?: RetryPolicy;
  pageSize?: number;
};

/** The adapter for a connection: OAuth access tokens come from the token lifecycle
 * (tokens.ts); a password sign-in's credentials are opened from the connection. */
export async function adapterForConnection(db: DB, conn: SyncConnection, options: AdapterOverrides = {}): Promise<ProviderAdapter> {
  if (!conn.groupId) throw new Error("The connection has no sync group yet");
  const definition = providerDefinition(conn.provider);
  const [company] = await db.select({ defaultCountry: companies.defaultCountry }).from(companies).where(eq(companies.id, conn.companyId));
  const common = { groupId: conn.groupId, defaultCountry: company?.defaultCountry ?? "US", retry: options.retry, pageSize: options.pageSize };
  const { auth } = definition;
  if (auth.kind === "password") {
    const secret = readPassword(conn);
    const credentials: AdapterCredentials = { kind: "basic", username: secret.username, password: secret.password, origins: secret.origins };
    // Its server is the connection's own (found at sign-in): an API root override is for the
    // providers whose API is one for all.
    return definition.createAdapter({ ...common, apiBaseUrl: secret.apiBaseUrl, credentials, agent: options.agent ?? auth.agent });
  }
  const config = auth.config();
  const endpoint = tokenEndpointFor(config);
  // The first request uses the tokens the caller just read with the connection; later ones read
  // them again (another process may have refreshed them).
  let fresh: Pick<SyncConnection, "tokens" | "status"> | undefined = conn;
  const token = () => {
    const known = fresh;
    fresh = undefined;
    return lifecycleToken(db, conn.id, endpoint, Date.now, known);
  };
  return definition.createAdapter({
    ...common,
    apiBaseUrl: options.apiBaseUrl ?? config.apiBaseUrl,
    credentials: { kind: "bearer", accessToken: options.getAccessToken ?? token },
    agent: options.agent ?? (options.apiBaseUrl ? undefined : config.agent),
  });
}
