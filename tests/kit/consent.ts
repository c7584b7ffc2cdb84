// The browser's part of an OAuth sign-in at an emulator: open the consent page and press Allow
// (or Deny) as `email`, ticking the scopes `grant` keeps. Returns where the provider sends the
// browser back (the app's callback, with the answer in its query).
export async function consentAs(
  url: string,
  email: string,
  opts: { decision?: "allow" | "deny"; grant?: (scope: string) => boolean } = {},
): Promise<URL> {
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, "&");
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
  const scopes = [...html.matchAll(/name="scope" value="([^"]+)"/g)].map((m) => m[1]!);
  const form = new URLSearchParams({ request_id: requestId, new_email: email, decision: opts.decision ?? "allow" });
  for (const s of scopes.filter(opts.grant ?? (() => true))) form.append("scope", s);
  const res = await fetch(new URL(action, url), { method: "POST", body: form, redirect: "manual" });
  const location = res.headers.get("location");
  if (res.status < 300 || !location) throw new Error(`consent answered ${res.status} without a redirect`);
  return new URL(location);
}
