// Demo mode only: an emulator that must serve HTTPS with a test certificate (the Graph client
// insists) has sign-in and consent pages a visitor's browser would not trust. Those pages — the
// ones its provider definition names — reach the browser through this same-origin relay; API
// calls go to the emulator directly. Being on the app's origin, the relay takes nothing it did
// not expect: only the app's own client, sending the user back to the app's own callback with a
// plain query, and only redirects that stay in the app are passed on.
import { env } from "@/lib/env";
import { providerFetch } from "@/lib/sync/providers/http";
import { isProviderId, providerDefinition } from "@/lib/sync/providers/registry";

export const dynamic = "force-dynamic";

/** What a relayed page may do: show itself (inline styles), submit its form to the app. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const refuse = (status: number, message: string) => new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

async function relay(request: Request, params: Promise<{ provider: string; path: string[] }>): Promise<Response> {
  const { provider, path } = await params;
  const definition = isProviderId(provider) ? providerDefinition(provider) : null;
  const pages = definition?.demo.relayedPages;
  const config = definition?.auth.kind === "oauth" ? definition.auth.config() : null;
  if (!definition || !pages || !config?.demo || !pages.test(path.join("/"))) return refuse(404, "Not found");

  const incoming = new URL(request.url);
  if (request.method === "GET") {
    const q = incoming.searchParams;
    if (q.get("client_id") !== config.clientId) return refuse(400, "Unknown client.");
    if (q.get("redirect_uri") !== config.redirectUri) return refuse(400, "This sign-in may only return to this app.");
    if ((q.get("response_mode") ?? "query") !== "query") return refuse(400, "Unsupported response mode.");
  }
  const target = new URL(`/${path.join("/")}${incoming.search}`, definition.demo.emulatorUrl());
  const upstream = await providerFetch(config.agent, { mayRequest: (url) => url.origin === target.origin })(target, {
    method: request.method,
    headers: { "content-type": request.headers.get("content-type") ?? "application/x-www-form-urlencoded" },
    body: request.method === "POST" ? await request.text() : undefined,
    redirect: "manual",
  });
  const headers = new Headers({ "content-security-policy": PAGE_POLICY, "cache-control": "no-store" });
  const location = upstream.headers.get("location");
  if (location) {
    const app = new URL(env().APP_URL);
    const to = new URL(location, app);
    if (to.origin !== app.origin) return refuse(502, "The sign-in page tried to leave this app.");
    headers.set("location", to.toString());
  }
  const type = upstream.headers.get("content-type") ?? "text/plain";
  headers.set("content-type", type);
  let body = await upstream.text();
  const prefix = `/api/demo/${provider}`;
  if (type.includes("html")) body = body.replace(/action="\//g, `action="${prefix}/`);
  return new Response(body, { status: upstream.status, headers });
}

export function GET(request: Request, ctx: { params: Promise<{ provider: string; path: string[] }> }) {
  return relay(request, ctx.params);
}

export function POST(request: Request, ctx: { params: Promise<{ provider: string; path: string[] }> }) {
  return relay(request, ctx.params);
}
