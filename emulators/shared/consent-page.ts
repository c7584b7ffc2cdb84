/**
 * The sign-in + consent screen both emulators show at their authorize
 * endpoint. One page does both steps: pick an existing emulator account (or
 * type an e-mail to sign in as a new one), untick scopes you don't want to
 * grant (Google's granular consent allows that), then Allow or Deny.
 * Labels and button names are stable because Playwright specs use them.
 */
export interface ConsentScope {
  value: string;
  label: string;
  /** Basic sign-in scopes cannot be unticked. */
  required: boolean;
}

export interface ConsentPageInput {
  brand: "google" | "microsoft";
  clientId: string;
  redirectHost: string;
  requestId: string;
  actionPath: string;
  accounts: { email: string; name: string }[];
  loginHint: string | null;
  scopes: ConsentScope[];
  error: string | null;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BRANDS = {
  google: { product: "Google", accent: "#1a73e8" },
  microsoft: { product: "Microsoft", accent: "#0067b8" },
} as const;

export function renderConsentPage(input: ConsentPageInput): string {
  const brand = BRANDS[input.brand];
  const hint = input.loginHint?.toLowerCase() ?? null;
  const hintIsKnown = hint !== null && input.accounts.some((a) => a.email === hint);
  const selected = hintIsKnown ? hint : hint === null ? (input.accounts[0]?.email ?? null) : null;
  const accountRadios = input.accounts
    .map(
      (a) => `<li><label><input type="radio" name="account" value="${escapeHtml(a.email)}"${a.email === selected ? " checked" : ""}>
        <span class="name">${escapeHtml(a.name)}</span> <span class="email">${escapeHtml(a.email)}</span></label></li>`,
    )
    .join("\n");
  const newEmailValue = hint !== null && !hintIsKnown ? escapeHtml(hint) : "";
  const scopeBoxes = input.scopes
    .map((s) =>
      s.required
        ? `<li><label><input type="checkbox" checked disabled> ${escapeHtml(s.label)}</label><input type="hidden" name="scope" value="${escapeHtml(s.value)}"></li>`
        : `<li><label><input type="checkbox" name="scope" value="${escapeHtml(s.value)}" checked> ${escapeHtml(s.label)}</label></li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - ${brand.product} Accounts (emulator)</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f1f3f4; margin: 0; }
  main { max-width: 460px; margin: 48px auto; background: #fff; border-radius: 8px; padding: 32px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
  h1 { font-size: 22px; font-weight: 500; margin: 0 0 4px; }
  p.sub { color: #5f6368; margin: 0 0 24px; }
  fieldset { border: 1px solid #dadce0; border-radius: 6px; margin: 0 0 16px; padding: 12px 16px; }
  legend { font-weight: 600; padding: 0 4px; }
  ul { list-style: none; padding: 0; margin: 0; }
  li { margin: 6px 0; }
  .email { color: #5f6368; }
  label.field { display: block; margin-top: 8px; }
  input[type=email], input[type=text] { width: 100%; box-sizing: border-box; padding: 8px; margin-top: 4px; }
  /* Allow comes first in the DOM so Enter in a field allows; it is shown on the right. */
  .actions { display: flex; flex-direction: row-reverse; gap: 12px; }
  button { padding: 8px 20px; border-radius: 4px; font-size: 14px; cursor: pointer; }
  button[value=allow] { background: ${brand.accent}; color: #fff; border: 0; }
  button[value=deny] { background: #fff; color: ${brand.accent}; border: 1px solid #dadce0; }
  .error { color: #d93025; }
  .note { color: #5f6368; font-size: 12px; margin-top: 24px; }
</style>
</head>
<body>
<main>
  <h1>Sign in with ${brand.product}</h1>
  <p class="sub">to continue to <strong>${escapeHtml(input.redirectHost)}</strong> (client ${escapeHtml(input.clientId)})</p>
  ${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ""}
  <form method="post" action="${escapeHtml(input.actionPath)}">
    <input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
    <fieldset>
      <legend>Choose an account</legend>
      <ul>
      ${accountRadios}
      </ul>
      <label class="field">Email <input type="email" name="new_email" value="${newEmailValue}" autocomplete="off"></label>
      <label class="field">Name <input type="text" name="new_name" value="" autocomplete="off"></label>
    </fieldset>
    <fieldset>
      <legend>Allow this app to</legend>
      <ul>
      ${scopeBoxes}
      </ul>
    </fieldset>
    <div class="actions">
      <button type="submit" name="decision" value="allow">Allow</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </div>
  </form>
  <p class="note">Local ${brand.product} emulator. Typing an e-mail that is not listed creates that account.</p>
</main>
</body>
</html>`;
}

export function renderErrorPage(brand: "google" | "microsoft", title: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 560px; margin: 48px auto">
<h1>${escapeHtml(BRANDS[brand].product)} — ${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>`;
}

/** What the consent form posted; validation of the chosen account is the caller's. */
export interface ConsentSubmission {
  requestId: string;
  decision: "allow" | "deny";
  email: string | null;
  name: string | null;
  scopes: string[];
}

export function parseConsentSubmission(form: URLSearchParams): ConsentSubmission {
  const newEmail = form.get("new_email")?.trim().toLowerCase() ?? "";
  const chosen = form.get("account")?.trim().toLowerCase() ?? "";
  const name = form.get("new_name")?.trim() ?? "";
  return {
    requestId: form.get("request_id") ?? "",
    decision: form.get("decision") === "allow" ? "allow" : "deny",
    email: newEmail !== "" ? newEmail : chosen !== "" ? chosen : null,
    name: name !== "" ? name : null,
    scopes: form.getAll("scope"),
  };
}

/** An e-mail address: no white space, one "@", a domain of dot-separated labels. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
