import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { auth } from "@googleapis/people";
import { googleOAuthClient, googlePeopleClient } from "../clients";
import { advanceClock, createAccount, getStats, mintToken, revokeAccount } from "../shared/admin-client";
import { googleErrorBody, rejection, statusOf, uniqueEmail } from "../test-helpers";
import { startGoogleEmulator, type GoogleEmulator } from "./server";
import { GOOGLE_SCOPES } from "./state";

type OAuth2 = InstanceType<typeof auth.OAuth2>;
type AuthUrlOptions = NonNullable<Parameters<OAuth2["generateAuthUrl"]>[0]>;

const CLIENT = { clientId: "tandem-test.apps.googleusercontent.com", clientSecret: "test-secret", redirectUri: "http://localhost:3000/api/oauth/google/callback" };

let emu: GoogleEmulator;
beforeAll(async () => {
  emu = await startGoogleEmulator(CLIENT.clientId ? { clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret } : {});
});
afterAll(async () => {
  await emu.close();
});

/** What a browser does on the consent page: submit the form, then read the redirect. */
async function consent(authUrl: string, form: Record<string, string | string[]>): Promise<URL> {
  const page = await fetch(authUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const body = new URLSearchParams({ request_id: requestId });
  for (const [k, v] of Object.entries(form)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  const res = await fetch(new URL(authUrl).origin + new URL(authUrl).pathname, { method: "POST", body, redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") ?? "");
}

async function authorize(oauth: OAuth2, email: string, opts: Partial<AuthUrlOptions> = {}, grantScopes?: string[]): Promise<{ code: string; verifier: string; redirect: URL }> {
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  const url = oauth.generateAuthUrl({
    access_type: "offline",
    scope: [GOOGLE_SCOPES.contacts, "openid", "email", "profile"],
    state: "state-123",
    code_challenge: codeChallenge,
    code_challenge_method: "S256" as AuthUrlOptions["code_challenge_method"],
    prompt: "consent",
    login_hint: email,
    ...opts,
  });
  const redirect = await consent(url, { new_email: email, decision: "allow", scope: grantScopes ?? [GOOGLE_SCOPES.contacts] });
  return { code: redirect.searchParams.get("code") ?? "", verifier: codeVerifier ?? "", redirect };
}

describe("Google OAuth authorization-code flow", () => {
  it("signs in on the consent page, echoes state, and exchanges the code with PKCE for tokens that work", async () => {
    const oauth = googleOAuthClient(emu.url, CLIENT);
    const email = uniqueEmail("gmail.com");
    const { code, verifier, redirect } = await authorize(oauth, email);
    expect(redirect.origin + redirect.pathname).toBe(CLIENT.redirectUri);
    expect(redirect.searchParams.get("state")).toBe("state-123");
    expect(redirect.searchParams.get("scope")).toContain(GOOGLE_SCOPES.contacts);
    const { tokens } = await oauth.getToken({ code, codeVerifier: verifier });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(" ")).toEqual(expect.arrayContaining([GOOGLE_SCOPES.contacts, "openid", GOOGLE_SCOPES.email]));
    const ticket = await oauth.verifyIdToken({ idToken: tokens.id_token ?? "", audience: CLIENT.clientId });
    expect(ticket.getPayload()?.email).toBe(email);
    oauth.setCredentials(tokens);
    const people = googlePeopleClient(emu.url, tokens, oauth);
    const me = await people.people.get({ resourceName: "people/me", personFields: "emailAddresses" });
    expect(me.data.emailAddresses?.[0]?.value).toBe(email);
    const info = await oauth.getTokenInfo(tokens.access_token ?? "");
    expect(info.email).toBe(email);
    expect(info.scopes).toContain(GOOGLE_SCOPES.contacts);
  });

  it("rejects a replayed code, a wrong verifier and a different redirect_uri with the provider's errors", async () => {
    const oauth = googleOAuthClient(emu.url, CLIENT);
    const first = await authorize(oauth, uniqueEmail("gmail.com"));
    await oauth.getToken({ code: first.code, codeVerifier: first.verifier });
    const replay = await rejection(oauth.getToken({ code: first.code, codeVerifier: first.verifier }));
    expect(statusOf(replay)).toBe(400);
    expect((replay as Error).message).toBe("invalid_grant");

    const second = await authorize(oauth, uniqueEmail("gmail.com"));
    const wrongVerifier = await rejection(oauth.getToken({ code: second.code, codeVerifier: "x".repeat(64) }));
    expect((wrongVerifier as { response?: { data?: unknown } }).response?.data).toEqual({ error: "invalid_grant", error_description: "Invalid code verifier." });

    const third = await authorize(oauth, uniqueEmail("gmail.com"));
    const wrongRedirect = await rejection(oauth.getToken({ code: third.code, codeVerifier: third.verifier, redirect_uri: "http://localhost:3000/elsewhere" }));
    expect((wrongRedirect as Error).message).toBe("redirect_uri_mismatch");
  });

  it("rejects an unknown client secret when the client is pinned", async () => {
    const oauth = googleOAuthClient(emu.url, { ...CLIENT, clientSecret: "wrong" });
    const { code, verifier } = await authorize(googleOAuthClient(emu.url, CLIENT), uniqueEmail("gmail.com"));
    const error = await rejection(oauth.getToken({ code, codeVerifier: verifier }));
    expect(statusOf(error)).toBe(401);
    expect((error as Error).message).toBe("invalid_client");
  });

  it("redirects with error=access_denied and the state when consent is denied", async () => {
    const oauth = googleOAuthClient(emu.url, CLIENT);
    const url = oauth.generateAuthUrl({ access_type: "offline", scope: [GOOGLE_SCOPES.contacts], state: "s-9" });
    const redirect = await consent(url, { new_email: uniqueEmail("gmail.com"), decision: "deny" });
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("state")).toBe("s-9");
    expect(redirect.searchParams.get("code")).toBeNull();
  });

  it("omits the refresh token on a repeat consent without prompt=consent, as Google does", async () => {
    const oauth = googleOAuthClient(emu.url, CLIENT);
    const email = uniqueEmail("gmail.com");
    const first = await authorize(oauth, email, { prompt: undefined });
    expect((await oauth.getToken({ code: first.code, codeVerifier: first.verifier })).tokens.refresh_token).toBeTruthy();
    const again = await authorize(oauth, email, { prompt: undefined });
    expect((await oauth.getToken({ code: again.code, codeVerifier: again.verifier })).tokens.refresh_token).toBeUndefined();
    const forced = await authorize(oauth, email);
    expect((await oauth.getToken({ code: forced.code, codeVerifier: forced.verifier })).tokens.refresh_token).toBeTruthy();
  });

  it("issues a code without showing the page for prompt=none once consent exists, and interaction_required otherwise", async () => {
    const oauth = googleOAuthClient(emu.url, CLIENT);
    const email = uniqueEmail("gmail.com");
    const silent = (): Promise<Response> => fetch(oauth.generateAuthUrl({ scope: [GOOGLE_SCOPES.contacts], prompt: "none", login_hint: email, state: "q" }), { redirect: "manual" });
    const before = new URL((await silent()).headers.get("location") ?? "");
    expect(before.searchParams.get("error")).toBe("interaction_required");
    await authorize(oauth, email);
    const after = new URL((await silent()).headers.get("location") ?? "");
    expect(after.searchParams.get("code")).toBeTruthy();
    expect(after.searchParams.get("state")).toBe("q");
  });

  it("grants only the scopes left ticked, and the API answers 403 for the missing ones", async () => {
    const oauth = googleOAuthClient(emu.url, CLIENT);
    const { code, verifier } = await authorize(oauth, uniqueEmail("gmail.com"), { scope: [GOOGLE_SCOPES.contacts, GOOGLE_SCOPES.contactsReadonly, "email"] }, [GOOGLE_SCOPES.contactsReadonly]);
    const { tokens } = await oauth.getToken({ code, codeVerifier: verifier });
    expect(tokens.scope?.split(" ")).not.toContain(GOOGLE_SCOPES.contacts);
    const people = googlePeopleClient(emu.url, { access_token: tokens.access_token ?? "" }, googleOAuthClient(emu.url, CLIENT));
    await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    const error = await rejection(people.people.createContact({ requestBody: { names: [{ givenName: "X" }] } }));
    expect(statusOf(error)).toBe(403);
    expect(googleErrorBody(error)).toMatchObject({ status: "PERMISSION_DENIED", message: "Request had insufficient authentication scopes." });
  });
});

describe("access and refresh tokens", () => {
  it("expires access tokens after an hour; the client refreshes through /token and retries", async () => {
    const email = uniqueEmail("gmail.com");
    await createAccount(emu.url, email);
    const token = await mintToken(emu.url, email, undefined, CLIENT.clientId);
    const people = googlePeopleClient(emu.url, { access_token: token.access_token, refresh_token: token.refresh_token }, googleOAuthClient(emu.url, CLIENT));
    await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    await advanceClock(emu.url, 3600 * 1000);
    const bare = googlePeopleClient(emu.url, { access_token: token.access_token }, googleOAuthClient(emu.url, CLIENT));
    const expired = await rejection(bare.people.connections.list({ resourceName: "people/me", personFields: "names" }));
    expect(statusOf(expired)).toBe(401);
    expect(googleErrorBody(expired).status).toBe("UNAUTHENTICATED");
    await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    const stats = await getStats(emu.url, email);
    expect(stats.byEndpoint["oauth.token"]).toBe(1);
    expect(stats.byEndpoint["people.connections.list"]).toBe(4);
    expect(stats.byStatus["401"]).toBe(2);
  });

  it("fails refresh with invalid_grant 'Token has been expired or revoked.' after revocation", async () => {
    const email = uniqueEmail("gmail.com");
    await createAccount(emu.url, email);
    const token = await mintToken(emu.url, email, undefined, CLIENT.clientId);
    const oauth = googleOAuthClient(emu.url, CLIENT);
    oauth.setCredentials({ refresh_token: token.refresh_token });
    await oauth.refreshAccessToken();
    expect((await revokeAccount(emu.url, email)).revokedGrants).toBe(1);
    const error = await rejection(oauth.refreshAccessToken());
    expect(statusOf(error)).toBe(400);
    expect((error as Error).message).toBe("invalid_grant");
    expect((error as { response?: { data?: unknown } }).response?.data).toEqual({ error: "invalid_grant", error_description: "Token has been expired or revoked." });
    const people = googlePeopleClient(emu.url, { access_token: token.access_token }, googleOAuthClient(emu.url, CLIENT));
    expect(statusOf(await rejection(people.people.connections.list({ resourceName: "people/me", personFields: "names" })))).toBe(401);
  });

  it("serves userinfo for the token's account", async () => {
    const email = uniqueEmail("gmail.com");
    await createAccount(emu.url, email, "Grace Hopper");
    const token = await mintToken(emu.url, email);
    const res = await fetch(`${emu.url}/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(await res.json()).toMatchObject({ email, email_verified: true, name: "Grace Hopper", given_name: "Grace", family_name: "Hopper" });
  });
});
