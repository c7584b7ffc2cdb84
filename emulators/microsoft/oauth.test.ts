import { createHash, createPublicKey, createVerify, randomBytes, type JsonWebKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphError } from "@microsoft/microsoft-graph-client";
import { graphClient } from "../clients";
import { advanceClock, createAccount, mintToken, revokeAccount, setConfig } from "../shared/admin-client";
import { rejection, uniqueEmail } from "../test-helpers";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "./server";

// There is no official Microsoft OAuth client among the project's dependencies (MSAL is not
// installed), so the identity-platform endpoints are driven the way a browser and a confidential
// web app would: form posts. Graph calls go through the official Graph client.

const CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
const REDIRECT = "http://localhost:3000/api/oauth/microsoft/callback";
const SCOPE = "openid profile email offline_access https://graph.microsoft.com/User.Read https://graph.microsoft.com/Contacts.ReadWrite";

let emu: MicrosoftEmulator;
beforeAll(async () => {
  emu = await startMicrosoftEmulator();
});
afterAll(async () => {
  await emu.close();
});

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

async function token(form: Record<string, string>): Promise<{ status: number; body: TokenResponse }> {
  const res = await fetch(`${emu.url}/consumers/oauth2/v2.0/token`, { method: "POST", body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: "s3cret", ...form }) });
  return { status: res.status, body: (await res.json()) as TokenResponse };
}

async function signIn(email: string, decision: "allow" | "deny" = "allow"): Promise<{ redirect: URL; verifier: string }> {
  const verifier = randomBytes(48).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const query = new URLSearchParams({ client_id: CLIENT_ID, response_type: "code", redirect_uri: REDIRECT, response_mode: "query", scope: SCOPE, state: "st-42", code_challenge: challenge, code_challenge_method: "S256", login_hint: email });
  const authorizeUrl = `${emu.url}/common/oauth2/v2.0/authorize?${query.toString()}`;
  const html = await (await fetch(authorizeUrl)).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const res = await fetch(`${emu.url}/common/oauth2/v2.0/authorize`, { method: "POST", body: new URLSearchParams({ request_id: requestId, new_email: email, decision }), redirect: "manual" });
  expect(res.status).toBe(302);
  return { redirect: new URL(res.headers.get("location") ?? ""), verifier };
}

async function codeFlow(email: string): Promise<TokenResponse> {
  const { redirect, verifier } = await signIn(email);
  const { status, body } = await token({ grant_type: "authorization_code", code: redirect.searchParams.get("code") ?? "", redirect_uri: REDIRECT, code_verifier: verifier, scope: SCOPE });
  expect(status).toBe(200);
  return body;
}

describe("Microsoft identity platform flow", () => {
  it("signs in, redeems the code with PKCE and gets tokens the Graph client can use", async () => {
    const email = uniqueEmail("outlook.com");
    const { redirect } = await signIn(email);
    expect(redirect.searchParams.get("state")).toBe("st-42");
    const tokens = await codeFlow(email);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(" ")).toEqual(expect.arrayContaining(["User.Read", "Contacts.ReadWrite"]));
    expect(tokens.expires_in).toBe(3599);
    const me = await graphClient(emu, () => tokens.access_token ?? "").api("/me").get();
    expect(me.userPrincipalName).toBe(email);

    const [header, payload, signature] = (tokens.id_token ?? "").split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as { aud: string; preferred_username: string; iss: string };
    expect(claims).toMatchObject({ aud: CLIENT_ID, preferred_username: email });
    const discovery = (await (await fetch(`${emu.url}/common/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(claims.iss).toBe(discovery.issuer);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: JsonWebKey[] };
    const key = createPublicKey({ key: jwks.keys[0] ?? {}, format: "jwk" });
    expect(createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(key, Buffer.from(signature ?? "", "base64url"))).toBe(true);
  });

  it("redirects with access_denied, an AADSTS description and the state when consent is refused", async () => {
    const { redirect } = await signIn(uniqueEmail("outlook.com"), "deny");
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("error_description")).toMatch(/^AADSTS65004/);
    expect(redirect.searchParams.get("state")).toBe("st-42");
  });

  it("rejects a redeemed code, a wrong PKCE verifier and a different redirect URI with invalid_grant and AADSTS codes", async () => {
    const email = uniqueEmail("outlook.com");
    const first = await signIn(email);
    const code = first.redirect.searchParams.get("code") ?? "";
    expect((await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: first.verifier })).status).toBe(200);
    const replay = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: first.verifier });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: "invalid_grant", error_codes: [54005] });
    expect(replay.body.error_description).toMatch(/^AADSTS54005: /);

    const second = await signIn(email);
    const badVerifier = await token({ grant_type: "authorization_code", code: second.redirect.searchParams.get("code") ?? "", redirect_uri: REDIRECT, code_verifier: "wrong".repeat(10) });
    expect(badVerifier.body).toMatchObject({ error: "invalid_grant", error_codes: [501481] });

    const third = await signIn(email);
    const badRedirect = await token({ grant_type: "authorization_code", code: third.redirect.searchParams.get("code") ?? "", redirect_uri: "http://localhost:3000/other", code_verifier: third.verifier });
    expect(badRedirect.body).toMatchObject({ error: "invalid_grant", error_codes: [500112] });

    const unknown = await token({ grant_type: "refresh_token", refresh_token: "M.C5_nonsense" });
    expect(unknown.body).toMatchObject({ error: "invalid_grant", error_codes: [70000] });
  });
});

describe("refresh tokens", () => {
  it("rotates the refresh token on every use; the previous one keeps working unless reuse is rejected", async () => {
    const tokens = await codeFlow(uniqueEmail("outlook.com"));
    const first = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "", scope: SCOPE });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBeTruthy();
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect((await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" })).status).toBe(200);
    await setConfig(emu.url, { refreshTokenReuse: "reject" });
    try {
      const reused = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" });
      expect(reused.body).toMatchObject({ error: "invalid_grant", error_codes: [70000] });
      const latest = await token({ grant_type: "refresh_token", refresh_token: first.body.refresh_token ?? "" });
      expect(latest.status).toBe(200);
    } finally {
      await setConfig(emu.url, { refreshTokenReuse: "allow" });
    }
  });

  it("fails refresh with AADSTS50173 after revocation while issued access tokens live until they expire", async () => {
    const email = uniqueEmail("outlook.com");
    await createAccount(emu.url, email);
    const minted = await mintToken(emu.url, email, undefined, CLIENT_ID);
    const client = graphClient(emu, () => minted.access_token);
    await revokeAccount(emu.url, email);
    const refresh = await token({ grant_type: "refresh_token", refresh_token: minted.refresh_token });
    expect(refresh.status).toBe(400);
    expect(refresh.body).toMatchObject({ error: "invalid_grant", error_codes: [50173] });
    await client.api("/me").get();
    await advanceClock(emu.url, 3600 * 1000);
    const expired = (await rejection(client.api("/me").get())) as GraphError;
    expect(expired.statusCode).toBe(401);
    expect(expired.code).toBe("InvalidAuthenticationToken");
  });

  it("expires a refresh token unused for 90 days with AADSTS700082", async () => {
    const email = uniqueEmail("outlook.com");
    await createAccount(emu.url, email);
    const minted = await mintToken(emu.url, email, undefined, CLIENT_ID);
    await advanceClock(emu.url, 91 * 24 * 3600 * 1000);
    const res = await token({ grant_type: "refresh_token", refresh_token: minted.refresh_token });
    expect(res.body).toMatchObject({ error: "invalid_grant", error_codes: [700082] });
    expect(res.body.error_description).toMatch(/^AADSTS700082: The refresh token has expired due to inactivity/);
  });
});
