// Demo mode only: an emulator that must serve HTTPS with a test certificate (the Graph client
// insists) has sign-in and consent pages a visitor's browser would not trust. Those pages — the
// ones its provider definition names — reach the browser through this same-origin relay; API
// calls go to the emulator directly.
import { isProviderId, providerDefinition } from "@/lib/sync/providers/registry";

export const dynamic = "force-dynamic";

async function relay(request: Request, params: Promise<{ provider: string; path: string[] }>): Promise<Response> {
  const { provider, path } = await params;
  const definition = isProviderId(provider) ? providerDefinition(provider) : null;
  const pages = definition?.demo.relayedPages;
  if (!definition || !pages || !definition.oauth.config().demo) return new Response("Not found", { status: 404 });
  if (!pages.test(path.join("/"))) return new Response("Not found", { status: 404 });
  const prefix = `/api/demo/${provider}`;
  const incoming = new URL(request.url);
  const target = new URL(`/${path.join("/")}${incoming.search}`, definition.demo.emulatorUrl());
  const upstream = await fetch(target, {
    method: request.method,
    headers: { "content-type": request.headers.get("content-type") ?? "application/x-www-form-urlencoded" },
    body: request.method === "POST" ? await request.text() : undefined,
    redirect: "manual",
  });
  const headers = new Headers();
  const location = upstream.headers.get("location");
  if (location) headers.set("location", location);
  const type = upstream.headers.get("content-type") ?? "text/plain";
  headers.set("content-type", type);
  let body = await upstream.text();
  if (type.includes("html")) body = body.replace(/action="\//g, `action="${prefix}/`);
  return new Response(body, { status: upstream.status, headers });
}

export function GET(request: Request, ctx: { params: Promise<{ provider: string; path: string[] }> }) {
  return relay(request, ctx.params);
}

export function POST(request: Request, ctx: { params: Promise<{ provider: string; path: string[] }> }) {
  return relay(request, ctx.params);
}
