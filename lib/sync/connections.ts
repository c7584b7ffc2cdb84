// Creating connections and building the provider adapter a connection talks through.
import { eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { companies, syncConnections, type Direction, type Provider, type SyncConnection, type Visibility } from "@/db/schema";
import { ensureSyncCustomFields } from "./crm-side";
import type { ProviderAdapter } from "./provider";
import { providerDefinition } from "./providers/registry";
import type { RetryPolicy } from "./retry";
import { sealJson } from "./secret-box";
import { getAccessToken as lifecycleToken, tokenEndpointFor, type StoredTokens } from "./tokens";

export type NewConnection = {
  companyId: string;
  userId: string;
  provider: Provider;
  accountEmail: string;
  tokens: StoredTokens;
  groupId: string | null;
  groupName?: string | null;
  direction: Direction;
  visibility: Visibility;
};

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
  /** The API root to talk to instead of the configured one (tests and benchmarks: an emulator). */
  apiBaseUrl?: string;
  getAccessToken?: () => Promise<string>;
  retry?: RetryPolicy;
  pageSize?: number;
};

/** The adapter for a connection; its access tokens come from the token lifecycle (tokens.ts). */
export async function adapterForConnection(db: DB, conn: SyncConnection, options: AdapterOverrides = {}): Promise<ProviderAdapter> {
  if (!conn.groupId) throw new Error("The connection has no sync group yet");
  const definition = providerDefinition(conn.provider);
  const config = definition.oauth.config();
  const [company] = await db.select({ defaultCountry: companies.defaultCountry }).from(companies).where(eq(companies.id, conn.companyId));
  const endpoint = tokenEndpointFor(config);
  return definition.createAdapter({
    apiBaseUrl: options.apiBaseUrl ?? config.apiBaseUrl,
    getAccessToken: options.getAccessToken ?? (() => lifecycleToken(db, conn.id, endpoint)),
    groupId: conn.groupId,
    defaultCountry: company?.defaultCountry ?? "US",
    retry: options.retry,
    pageSize: options.pageSize,
    agent: options.apiBaseUrl ? undefined : config.agent,
  });
}
