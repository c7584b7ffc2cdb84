// Connecting an account that signs in with a password (CardDAV): the server, the username and
// an app-specific password are checked at once against the server (discovery finds the address
// books), then stored sealed like OAuth tokens and never shown again. Connecting an account
// that is already connected replaces its password: that is how a refused password is mended.
// The form is a way to make the app try passwords against a server: failed attempts are
// throttled as sign-ins are (per user and per server), and a user has at most
// MAX_CONNECTIONS_PER_USER connections.
import { and, eq } from "drizzle-orm";
import type { Dispatcher } from "undici";
import type { DB } from "@/db/client";
import type { Viewer } from "@/db/queries/visibility";
import { syncConnections } from "@/db/schema";
import { env } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { isEmailAddress } from "@/lib/normalize";
import { claimAttempt, takeBack, throttleWait, type ThrottleKey } from "@/lib/sign-in-throttle";
import { createConnection, hasRoomForConnection, readPassword, type StoredPassword } from "./connections";
import { requireSyncPermission } from "./permission";
import { requestSync } from "../jobs/scheduler";
import { passwordAuthOf, providerDefinition } from "../providers/registry";
import type { ProviderId } from "@/db/vocabulary";
import { transition } from "@/db/queries/sync/connection-status";
import { sealJson } from "./secret-box";

export type PasswordConnectInput = { provider: ProviderId; email: string; serverUrl: string; username: string; password: string };

/** Failed connection attempts allowed before the delays start: per user, and per server (from
 * all users). */
export const CONNECT_FREE_FAILURES = { user: 10, server: 20 } as const;

export async function connectWithPassword(
  db: DB,
  viewer: Viewer,
  input: PasswordConnectInput,
  opts: { agent?: () => Dispatcher } = {},
): Promise<{ connectionId: string; reconnected: boolean }> {
  requireSyncPermission(viewer);
  const auth = passwordAuthOf(input.provider);
  if (!auth) throw new UserError("connect.signsInThere", { values: { provider: providerDefinition(input.provider).profile.shortName } });
  const accountEmail = input.email.trim().toLowerCase();
  if (!isEmailAddress(accountEmail) || accountEmail.length > 254) {
    throw new UserError("connect.emailInvalid", { fields: { email: "field.notAnEmail" } });
  }
  const username = input.username.trim() || accountEmail;
  if (!input.password) throw new UserError("connect.passwordMissing", { fields: { password: "field.required" } });

  const [existing] = await db
    .select()
    .from(syncConnections)
    .where(and(eq(syncConnections.userId, viewer.id), eq(syncConnections.provider, input.provider), eq(syncConnections.accountEmail, accountEmail)));
  if (!existing && !(await hasRoomForConnection(db, viewer.id))) {
    throw new UserError("connect.tooMany", { values: { max: env().MAX_CONNECTIONS_PER_USER } });
  }

  // Counted before the server is asked, taken back when the password is accepted.
  const keys: ThrottleKey[] = [
    { key: `connect-user:${viewer.id}`, free: CONNECT_FREE_FAILURES.user },
    { key: `connect-server:${serverKey(input.serverUrl)}`, free: CONNECT_FREE_FAILURES.server },
  ];
  if ((await claimAttempt(db, keys)) > 0) {
    throw new UserError("connect.throttled", { values: { minutes: Math.max(1, Math.ceil((await throttleWait(db, keys)) / 60_000)) } });
  }
  const { apiBaseUrl, origins } = await auth.verify({ serverUrl: input.serverUrl, username, password: input.password }, opts.agent);
  await takeBack(db, keys);
  const secret: StoredPassword = { kind: "password", apiBaseUrl, username, password: input.password, origins };

  if (existing) {
    // Its links belong to the address books it was synced with: another server would receive
    // their deletions and pushes.
    const syncedAt = existing.groupId ? readPassword(existing).apiBaseUrl : apiBaseUrl;
    if (syncedAt !== apiBaseUrl) {
      throw new UserError("connect.otherServer", { values: { server: syncedAt }, fields: { serverUrl: "field.anotherServer" } });
    }
    await db.transaction(async (tx) => {
      await tx.update(syncConnections).set({ tokens: sealJson(secret), lastError: null, updatedAt: new Date() }).where(eq(syncConnections.id, existing.id));
      await transition(tx, existing.id, "reconnected");
    });
    // A connection that was syncing resumes at once.
    if (existing.groupId && (existing.status === "active" || existing.status === "reconnect_needed")) await requestSync(db, existing.id);
    return { connectionId: existing.id, reconnected: true };
  }
  // Checked before the server was asked too; another attempt may have connected meanwhile.
  if (!(await hasRoomForConnection(db, viewer.id))) throw new UserError("connect.tooMany", { values: { max: env().MAX_CONNECTIONS_PER_USER } });
  const connectionId = await createConnection(db, {
    companyId: viewer.companyId,
    userId: viewer.id,
    provider: input.provider,
    accountEmail,
    tokens: secret,
    groupId: null,
    direction: "one_way",
    visibility: "company",
  });
  return { connectionId, reconnected: false };
}

/** The server a connection attempt is aimed at, as a throttle key: its host name, lower-case (the
 * text as typed when it is not a URL: the attempt fails before anything is sent). */
function serverKey(serverUrl: string): string {
  const text = serverUrl.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return text.toLowerCase().slice(0, 200);
  }
}
