// Connecting an account end to end: our authorize URL → the emulator's consent page (submitted
// as a browser would) → our callback logic → a connection with sealed tokens that work.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "@/db/client";
import { oauthStates, syncConnections } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { getViewer } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import { createAccount, startGoogleEmulator, startMicrosoftEmulator } from "@/emulators";
import { ForbiddenError } from "@/lib/errors";
import { finishAuthorization, OAuthFlowError, startAuthorization } from "@/lib/sync/accounts/oauth-flow";
import type { OAuthConfig } from "@/lib/sync/providers/definition";
import { readTokens } from "@/lib/sync/accounts/tokens";
import { adapterFor, emulatorOAuthConfig, openSeeded } from "@/tests/kit/connect";
import { consentAs } from "@/tests/kit/consent";

const cases = [
  { provider: "google" as const, start: startGoogleEmulator, domain: "gmail.com" },
  { provider: "microsoft" as const, start: startMicrosoftEmulator, domain: "outlook.com" },
];

describe.each(cases)("connecting a $provider account", ({ provider, start, domain }) => {
  let emu: { url: string; close(): Promise<void> };
  let handle: DbHandle;
  let demo: SeededDemo;
  let east: Viewer;
  let config: OAuthConfig;
  let n = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([start({ port: 0 }), openSeeded(() => createDb({}))]);
    east = (await getViewer(handle.db, demo.users.east))!;
    config = emulatorOAuthConfig(provider, emu.url);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  const newEmail = () => `person${++n}@${domain}`;

  /** The browser's part, checking the provider sends it back to our callback. */
  async function consent(url: string, email: string, decision: "allow" | "deny" = "allow", grant: (scope: string) => boolean = () => true): Promise<URLSearchParams> {
    const back = await consentAs(url, email, { decision, grant });
    expect(back.origin + back.pathname).toBe(config.redirectUri);
    return back.searchParams;
  }

  const connectionsOf = async (userId: string) => handle.db.select().from(syncConnections).where(eq(syncConnections.userId, userId));

  it("recognises the provider from the address and completes the flow with PKCE, storing sealed tokens that work", async () => {
    const email = newEmail();
    await createAccount(emu.url, email);
    const { url, provider: detected } = await startAuthorization(handle.db, east, { email }, config);
    expect(detected).toBe(provider);
    const authorizeUrl = new URL(url);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("scope")).toMatch(provider === "google" ? /contacts\.readonly/ : /Contacts\.Read(?!Write)/);
    // The verifier never leaves the server.
    const [state] = await handle.db.select().from(oauthStates).where(eq(oauthStates.accountEmail, email));
    expect(url).not.toContain(state!.codeVerifier);

    const result = await finishAuthorization(handle.db, east, { provider, params: await consent(url, email) }, { config });
    expect(result).toMatchObject({ accountEmail: email, reconnected: false });
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, result.connectionId));
    expect(conn!.tokens).not.toMatch(/access|refresh/);
    const tokens = readTokens(conn!);
    expect(tokens.refreshToken).toBeTruthy();
    const adapter = await adapterFor(handle.db, { ...conn!, groupId: "x" }, emu.url);
    const groups = await adapter.listGroups();
    expect(groups.length).toBeGreaterThan(0);
  });

  it("reconnecting the same account updates the connection instead of adding one", async () => {
    const email = newEmail();
    const first = await startAuthorization(handle.db, east, { email }, config);
    const a = await finishAuthorization(handle.db, east, { provider, params: await consent(first.url, email) }, { config });
    const second = await startAuthorization(handle.db, east, { email }, config);
    const b = await finishAuthorization(handle.db, east, { provider, params: await consent(second.url, email) }, { config });
    expect(b).toMatchObject({ connectionId: a.connectionId, reconnected: true });
  });

  it("refuses a tampered state, a replayed answer, denied consent and an answer for the other provider — storing nothing", async () => {
    const email = newEmail();
    const before = (await connectionsOf(east.id)).length;
    const { url } = await startAuthorization(handle.db, east, { email }, config);
    const params = await consent(url, email);

    const tampered = new URLSearchParams(params);
    tampered.set("state", params.get("state")!.replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    await expect(finishAuthorization(handle.db, east, { provider, params: tampered }, { config })).rejects.toMatchObject({ code: "bad_state" });

    const other = provider === "google" ? "microsoft" : "google";
    await expect(finishAuthorization(handle.db, east, { provider: other, params }, { config })).rejects.toMatchObject({ code: "wrong_provider" });
    // The state was spent by that attempt: replaying the same answer is refused too.
    await expect(finishAuthorization(handle.db, east, { provider, params }, { config })).rejects.toMatchObject({ code: "replayed" });

    const denied = await startAuthorization(handle.db, east, { email }, config);
    const deniedParams = await consent(denied.url, email, "deny");
    expect(deniedParams.get("error")).toBe("access_denied");
    const error = await finishAuthorization(handle.db, east, { provider, params: deniedParams }, { config }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect((error as OAuthFlowError).message).toMatch(/did not allow access/);

    expect((await connectionsOf(east.id)).length).toBe(before);
  });

  const connectionRow = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;

  it("a reconnect must bring back the connection's own account: signing in as another changes nothing", async () => {
    const email = newEmail();
    const first = await startAuthorization(handle.db, east, { email }, config);
    const { connectionId } = await finishAuthorization(handle.db, east, { provider, params: await consent(first.url, email) }, { config });
    const before = await connectionRow(connectionId);
    const intruder = newEmail();
    const again = await startAuthorization(handle.db, east, { email, connectionId }, config);
    const refused = await finishAuthorization(handle.db, east, { provider, params: await consent(again.url, intruder) }, { config }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "wrong_account" });
    expect((refused as Error).message).toContain(email);
    expect(await connectionRow(connectionId)).toEqual(before);
    // The connection's own account reconnects it.
    const right = await startAuthorization(handle.db, east, { email, connectionId }, config);
    expect(await finishAuthorization(handle.db, east, { provider, params: await consent(right.url, email) }, { config })).toMatchObject({ connectionId, reconnected: true });
  });

  // Google lets the user untick a scope on its consent page; Microsoft's consent is all or nothing.
  it.runIf(provider === "google")("upgrading to two-way needs write access: a read-only answer changes nothing", async () => {
    const email = newEmail();
    const first = await startAuthorization(handle.db, east, { email }, config);
    const { connectionId } = await finishAuthorization(handle.db, east, { provider, params: await consent(first.url, email) }, { config });
    const before = await connectionRow(connectionId);
    const upgrade = await startAuthorization(handle.db, east, { email, connectionId, direction: "two_way" }, config);
    const readOnly = (scope: string) => !/auth\/contacts$|Contacts\.ReadWrite$/i.test(scope);
    await expect(finishAuthorization(handle.db, east, { provider, params: await consent(upgrade.url, email, "allow", readOnly) }, { config })).rejects.toMatchObject({ code: "no_write_access" });
    expect(await connectionRow(connectionId)).toEqual(before);
    const granted = await startAuthorization(handle.db, east, { email, connectionId, direction: "two_way" }, config);
    await finishAuthorization(handle.db, east, { provider, params: await consent(granted.url, email) }, { config });
    expect(readTokens(await connectionRow(connectionId)).scope).toMatch(provider === "google" ? /auth\/contacts( |$)/ : /Contacts\.ReadWrite/);
  });

  it("a replayed authorization code is refused by the token endpoint and stores nothing", async () => {
    const email = newEmail();
    const { url } = await startAuthorization(handle.db, east, { email }, config);
    const params = await consent(url, email);
    await finishAuthorization(handle.db, east, { provider, params }, { config });
    const before = (await connectionsOf(east.id)).length;
    // A second state for the same user, carrying the spent code.
    const again = await startAuthorization(handle.db, east, { email }, config);
    const replay = new URLSearchParams({ code: params.get("code")!, state: new URL(again.url).searchParams.get("state")! });
    await expect(finishAuthorization(handle.db, east, { provider, params: replay }, { config })).rejects.toMatchObject({ code: "exchange_failed" });
    expect((await connectionsOf(east.id)).length).toBe(before);
  });

  it("only users with both add-persons and add-organizations may connect, on the server, and only their own flow", async () => {
    const support = (await getViewer(handle.db, demo.users.support))!;
    await expect(startAuthorization(handle.db, support, { email: newEmail() }, config)).rejects.toBeInstanceOf(ForbiddenError);
    const email = newEmail();
    const { url } = await startAuthorization(handle.db, east, { email }, config);
    const params = await consent(url, email);
    await expect(finishAuthorization(handle.db, support, { provider, params }, { config })).rejects.toBeInstanceOf(ForbiddenError);
    const west = (await getViewer(handle.db, demo.users.west))!;
    await expect(finishAuthorization(handle.db, west, { provider, params }, { config })).rejects.toMatchObject({ code: "wrong_user" });
  });

  it("asks which provider when the address does not tell", async () => {
    await expect(startAuthorization(handle.db, east, { email: "someone@company.example" }, config)).rejects.toThrow(/Google, a Microsoft or a CardDAV account/);
    await expect(startAuthorization(handle.db, east, { email: "not an address" }, config)).rejects.toThrow(/e-mail address/);
  });
});
