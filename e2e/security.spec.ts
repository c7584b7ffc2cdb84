import { expect, test } from "@playwright/test";
import { PASSWORD, signIn, USERS } from "./helpers";

// The attacks of the trust-boundary review, sent to the running app (demo mode).

const RELAY = "/api/demo/microsoft/common/oauth2/v2.0/authorize";
const relayQuery = (over: Record<string, string>) =>
  new URLSearchParams({ client_id: "tandem-demo", response_type: "code", scope: "openid", redirect_uri: "", ...over }).toString();

test("the demo sign-in relay refuses to send anyone anywhere but the app's own callback", async ({ request, baseURL }) => {
  const callback = new URL("/api/oauth/microsoft/callback", baseURL).toString();
  for (const redirect_uri of ["javascript:alert(document.domain)//", "https://evil.example/", `${callback}.evil.example/`]) {
    for (const mode of [{}, { response_mode: "form_post" }] as Record<string, string>[]) {
      const res = await request.get(`${RELAY}?${relayQuery({ redirect_uri, ...mode })}`, { maxRedirects: 0 });
      expect(res.status(), redirect_uri).toBe(400);
      expect(res.headers()["location"]).toBeUndefined();
      expect(await res.text()).not.toContain(redirect_uri);
    }
  }
  // form_post answers with a self-submitting page: refused even to the right callback.
  expect((await request.get(`${RELAY}?${relayQuery({ redirect_uri: callback, response_mode: "form_post" })}`, { maxRedirects: 0 })).status()).toBe(400);
  // Another client: refused.
  expect((await request.get(`${RELAY}?${relayQuery({ redirect_uri: callback, client_id: "someone-else" })}`, { maxRedirects: 0 })).status()).toBe(400);
  // The app's own request still gets the consent page, unable to run scripts or be framed.
  const ok = await request.get(`${RELAY}?${relayQuery({ redirect_uri: callback })}`, { maxRedirects: 0 });
  expect(ok.status()).toBe(200);
  expect(ok.headers()["content-security-policy"]).toContain("default-src 'none'");
  expect(ok.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});

test("pages cannot be framed and run only the app's own scripts", async ({ page }) => {
  const res = await page.goto("/sign-in");
  const headers = res!.headers();
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
  const csp = headers["content-security-policy"]!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  // A fresh nonce per response.
  const again = (await page.goto("/sign-in"))!.headers()["content-security-policy"];
  expect(again).not.toBe(csp);
  // The page works under it (hydrated: the form signs in with JavaScript).
  await signIn(page, USERS.east, PASSWORD);
  // And it says it is a demo.
  await page.context().clearCookies();
  await page.goto("/sign-in");
  await expect(page.getByTestId("demo-mode")).toContainText("Demo mode");
});

test("the OAuth callback sends the browser back to the app's own address, whatever X-Forwarded-Host says", async ({ request }) => {
  const res = await request.get("/api/oauth/google/callback?state=x&code=y", { headers: { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" }, maxRedirects: 0 });
  expect(res.status()).toBe(303);
  expect(new URL(res.headers()["location"]!).host).not.toBe("evil.example");
});

test("the sign-in throttle keys on the address the trusted proxy saw, not on what the client adds to X-Forwarded-For", async ({ playwright, baseURL }) => {
  // The app runs behind one trusted proxy in this suite (TRUST_PROXY_HOPS=1): the last entry is
  // the proxy's; everything before it the client may make up. 21 sign-ins from one address,
  // each claiming another origin and trying another account, are throttled from the 21st. The
  // form is posted as the browser posts it (Auth.js's credentials endpoint, with its CSRF token),
  // from a request context: no browser needed to count.
  const proxySaw = "198.51.100.77";
  let throttledAt = 0;
  for (let i = 1; i <= 22 && !throttledAt; i++) {
    const client = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": `203.0.113.${i}, ${proxySaw}` } });
    const { csrfToken } = (await (await client.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const res = await client.post("/api/auth/callback/credentials", {
      form: { email: `nobody${i}@acme.test`, password: "wrong-password", csrfToken, callbackUrl: "/persons" },
      maxRedirects: 0,
    });
    // Refused either way: back to the sign-in page, saying why.
    const location = new URL(res.headers()["location"] ?? "", baseURL);
    expect(location.pathname).toBe("/sign-in");
    expect(location.searchParams.get("error")).toBe("CredentialsSignin");
    if (location.searchParams.get("code") === "throttled") throttledAt = i;
    await client.dispose();
  }
  // The 20th failure blocks for a second, the 21st for two: a slow machine may slip one attempt in.
  expect(throttledAt).toBeGreaterThanOrEqual(21);
  expect(throttledAt).toBeLessThanOrEqual(22);
});
