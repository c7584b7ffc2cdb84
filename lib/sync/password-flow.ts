// Connecting an account that signs in with a password (CardDAV): the server, the username and
// an app-specific password are checked at once against the server (discovery finds the address
// books), then stored sealed like OAuth tokens and never shown again. Connecting an account
// that is already connected replaces its password: that is how a refused password is mended.
import { and, eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import type { Viewer } from "@/db/queries/visibility";
import { syncConnections } from "@/db/schema";
import { UserError } from "@/lib/errors";
import { isEmailAddress } from "@/lib/normalize";
import { createConnection, readPassword, type StoredPassword } from "./connections";
import { requireSyncPermission } from "./permission";
import { requestSync } from "./scheduler";
import { passwordAuthOf, providerDefinition, type ProviderId } from "./providers/registry";
import { sealJson } from "./secret-box";

export type PasswordConnectInput = { provider: ProviderId; email: string; serverUrl: string; username: string; password: string };

export async function connectWithPassword(db: DB, viewer: Viewer, input: PasswordConnectInput): Promise<{ connectionId: string; reconnected: boolean }> {
  requireSyncPermission(viewer);
  const auth = passwordAuthOf(input.provider);
  if (!auth) throw new UserError("connect.signsInThere", { values: { provider: providerDefinition(input.provider).profile.shortName } });
  const accountEmail = input.email.trim().toLowerCase();
  if (!isEmailAddress(accountEmail) || accountEmail.length > 254) {
    throw new UserError("connect.emailInvalid", { fields: { email: "field.notAnEmail" } });
  }
  const username = input.username.trim() || accountEmail;
  if (!input.password) throw new UserError("connect.passwordMissing", { fields: { password: "field.required" } });
  const { apiBaseUrl } = await auth.verify({ serverUrl: input.serverUrl, username, password: input.password });
  const secret: StoredPassword = { kind: "password", apiBaseUrl, username, password: input.password };

  const [existing] = await db
    .select()
    .from(syncConnections)
    .where(and(eq(syncConnections.userId, viewer.id), eq(syncConnections.provider, input.provider), eq(syncConnections.accountEmail, accountEmail)));
  if (existing) {
    // Its links belong to the address books it was synced with: another server would receive
    // their deletions and pushes.
    const syncedAt = existing.groupId ? readPassword(existing).apiBaseUrl : apiBaseUrl;
    if (syncedAt !== apiBaseUrl) {
      throw new UserError("connect.otherServer", { values: { server: syncedAt }, fields: { serverUrl: "field.anotherServer" } });
    }
    await db
      .update(syncConnections)
      .set({ tokens: sealJson(secret), status: existing.status === "reconnect_needed" ? "active" : existing.status, lastError: null, updatedAt: new Date() })
      .where(eq(syncConnections.id, existing.id));
    // A connection that was syncing resumes at once.
    if (existing.groupId && (existing.status === "active" || existing.status === "reconnect_needed")) await requestSync(db, existing.id);
    return { connectionId: existing.id, reconnected: true };
  }
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
