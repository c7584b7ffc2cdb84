// A database with the demo company, connections of its users to test address books, and the
// adapters the engine talks through — pointed at the test's emulator.
import { eq } from "drizzle-orm";
import type { DB, DbHandle } from "@/db/client";
import { syncConnections, type Direction, type SyncConnection, type Visibility } from "@/db/schema";
import { seedDemo, type SeededDemo } from "@/db/seed";
import { adapterForConnection, createConnection } from "@/lib/sync/accounts/connections";
import type { OAuthConfig } from "@/lib/sync/providers/definition";
import { DEMO_CLIENT } from "@/lib/sync/providers/oauth-defaults";
import type { ProviderId } from "@/db/vocabulary";
import { providerDefinition } from "@/lib/sync/providers/registry";
import type { RetryPolicy } from "@/lib/sync/providers/retry";
import type { AddressBook } from "./address-book";

/** The production retry policy's shape at test-sized waits. */
export const FAST_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 5, maxDelayMs: 50, maxTotalWaitMs: 5_000 };

export type ConnectOptions = {
  /** A key of the seeded demo users; "east" by default. */
  user?: keyof SeededDemo["users"];
  direction?: Direction;
  visibility?: Visibility;
  /** Leave the group unset (a connection that has not been configured yet). */
  unconfigured?: boolean;
  /** Extra token fields (a refresh token, the granted scope). */
  tokens?: { accessToken?: string; refreshToken?: string | null; scope?: string | null; expiresAt?: number | null };
};

/** A connection of a demo user to the book's group; two-way and "owner only" unless told. */
export function connectBook(db: DB, demo: SeededDemo, book: AddressBook, opts: ConnectOptions = {}): Promise<string> {
  return createConnection(db, {
    companyId: demo.companyId,
    userId: demo.users[opts.user ?? "east"],
    provider: book.provider,
    accountEmail: book.email,
    tokens: "kind" in book.secret ? book.secret : { ...book.secret, ...opts.tokens },
    groupId: opts.unconfigured ? null : book.groupId,
    groupName: opts.unconfigured ? null : "Clients",
    direction: opts.direction ?? "two_way",
    visibility: opts.visibility ?? "owner",
  });
}

export async function getConnection(db: DB, connectionId: string): Promise<SyncConnection> {
  const [conn] = await db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
  if (!conn) throw new Error(`No connection ${connectionId}`);
  return conn;
}

/** The connection's adapter against the emulator at `apiUrl`. */
export async function adapterFor(db: DB, conn: SyncConnection | string, apiUrl: string, opts: { retry?: RetryPolicy; pageSize?: number } = {}) {
  const connection = typeof conn === "string" ? await getConnection(db, conn) : conn;
  return adapterForConnection(db, connection, { apiBaseUrl: `${apiUrl.replace(/\/$/, "")}/`, ...opts });
}

/** A database opened for a test file, with the demo company seeded. */
export async function openSeeded(open: () => Promise<DbHandle>): Promise<{ handle: DbHandle; demo: SeededDemo }> {
  const handle = await open();
  return { handle, demo: await seedDemo(handle.db) };
}

/** The OAuth endpoints of a provider's emulator at `url` (its definition says where they are), with
 * the demo client. A provider signed in to with a password has none: its server's root stands in
 * (nothing asks it). */
export function emulatorOAuthConfig(provider: ProviderId, url: string): OAuthConfig {
  const { auth } = providerDefinition(provider);
  return {
    demo: true,
    ...DEMO_CLIENT,
    ...(auth.kind === "oauth" ? auth.emulatorEndpoints(url) : { authorizeUrl: url, tokenUrl: url }),
    apiBaseUrl: `${url}/`,
    redirectUri: `http://localhost:3000/api/oauth/${provider}/callback`,
  };
}
