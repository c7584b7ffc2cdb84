// Demo mode only: the Microsoft emulator must serve HTTPS with a test certificate (the Graph
// client insists), which a visitor's browser would not trust. So its sign-in and consent pages
// reach the browser through this same-origin relay; API calls go to the emulator directly.
import { providerConfig, emulatorUrls } from "@/lib/sync/oauth-config";

export const dynamic = "force-dynamic";
const PREFIX = "/api/demo/microsoft";

async function relay(request: Request, params: Promise<{ path: string[] }>): Promise<Response> {
  if (!providerConfig("microsoft").demo) return new Response("Not found", { status: 404 });
  const { path } = await params;
  // Only the OAuth browser pages are relayed.
  if (!/^[\w-]+\/oauth2\/v2\.0\/authorize$/.test(path.join("/"))) return new Response("Not found", { status: 404 });
  const incoming = new URL(request.url);
  const target = new URL(`/${path.join("/")}${incoming.search}`, emulatorUrls().microsoft);
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
  if (type.includes("html")) body = body.replace(/action="\//g, `action="${PREFIX}/`);
  return new Response(body, { status: upstream.status, headers });
}

export function GET(request: Request, ctx: { params: Promise<{ path: string[] }> }) {
  return relay(request, ctx.params);
}

export function POST(request: Request, ctx: { params: Promise<{ path: string[] }> }) {
  return relay(request, ctx.params);
}
