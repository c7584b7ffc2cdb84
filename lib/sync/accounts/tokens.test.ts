// The token lifecycle against the emulators' real token endpoints.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "@/db/client";
import { syncConnections } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { createAccount, mintToken, revokeAccount, startGoogleEmulator, startMicrosoftEmulator } from "@/emulators";
import { createConnection } from "./connections";
import { emulatorOAuthConfig, openSeeded } from "@/tests/kit/connect";
import type { OAuthConfig } from "../providers/definition";
import { DEMO_CLIENT } from "../providers/oauth-defaults";
import { InvalidGrantError } from "../model/provider";
import { getAccessToken, readTokens, tokenEndpointFor, type TokenEndpoint } from "./tokens";

const emulators = [
  { provider: "google" as const, start: startGoogleEmulator },
  { provider: "microsoft" as const, start: startMicrosoftEmulator },
];

describe.each(emulators)("token lifecycle with $provider", ({ provider, start }) => {
  let emu: { url: string; close(): Promise<void> };
  let handle: DbHandle;
  let demo: SeededDemo;
  let config: OAuthConfig;
  let n = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([start({ port: 0 }), openSeeded(() => createDb({}))]);
    config = emulatorOAuthConfig(provider, emu.url);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  /** A connection whose access token expires in `inMs`. */
  async function connection(inMs: number) {
    const email = `tok${++n}@example.com`;
    await createAccount(emu.url, email);
    const minted = await mintToken(emu.url, email, undefined, DEMO_CLIENT.clientId);
    const id = await createConnection(handle.db, {
      companyId: demo.companyId,
      userId: demo.users.east,
      provider,
      accountEmail: email,
      tokens: { accessToken: minted.access_token, refreshToken: minted.refresh_token, expiresAt: Date.now() + inMs },
      groupId: "g",
      direction: "one_way",
      visibility: "company",
    });
    return { id, email, minted };
  }

  const stored = async (id: string) => {
    const [row] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id));
    return { row: row!, tokens: readTokens(row!) };
  };

  function counting(endpoint: TokenEndpoint) {
    let calls = 0;
    return {
      endpoint: { ...endpoint, refresh: (t: string) => (calls++, endpoint.refresh(t)) } as TokenEndpoint,
      calls: () => calls,
    };
  }

  it("uses a token that is still fresh without asking the provider", async () => {
    const { id, minted } = await connection(60 * 60_000);
    const c = counting(tokenEndpointFor(config));
    expect(await getAccessToken(handle.db, id, c.endpoint)).toBe(minted.access_token);
    expect(c.calls()).toBe(0);
  });

  it("refreshes ahead of expiry and stores the new tokens sealed", async () => {
    const { id, minted } = await connection(30_000);
    const token = await getAccessToken(handle.db, id, tokenEndpointFor(config));
    expect(token).not.toBe(minted.access_token);
    const { row, tokens } = await stored(id);
    expect(tokens.accessToken).toBe(token);
    expect(tokens.expiresAt! - Date.now()).toBeGreaterThan(10 * 60_000);
    expect(row.tokens).not.toContain(token);
    expect(row.tokens).not.toContain(minted.refresh_token);
    if (provider === "microsoft") expect(tokens.refreshToken).not.toBe(minted.refresh_token);
    else expect(tokens.refreshToken).toBe(minted.refresh_token);
  });

  it("collapses concurrent refreshes into one request", async () => {
    const { id } = await connection(-1_000);
    const c = counting(tokenEndpointFor(config));
    const tokens = await Promise.all(Array.from({ length: 10 }, () => getAccessToken(handle.db, id, c.endpoint)));
    expect(new Set(tokens).size).toBe(1);
    expect(c.calls()).toBe(1);
  });

  it("a revoked grant marks the connection reconnect-needed and stops asking", async () => {
    const { id, email } = await connection(-1_000);
    await revokeAccount(emu.url, email);
    const c = counting(tokenEndpointFor(config));
    await expect(getAccessToken(handle.db, id, c.endpoint)).rejects.toBeInstanceOf(InvalidGrantError);
    expect((await stored(id)).row.status).toBe("reconnect_needed");
    await expect(getAccessToken(handle.db, id, c.endpoint)).rejects.toBeInstanceOf(InvalidGrantError);
    expect(c.calls()).toBe(1);
  });
});
