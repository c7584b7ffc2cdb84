// Where the provider sends the user back after consent. Everything is checked in
// finishAuthorization; this only turns the outcome into a redirect to Contact Sync.
import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { env } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { prepareFirstSync } from "@/lib/sync/accounts/manage";
import { finishAuthorization, OAuthFlowError } from "@/lib/sync/accounts/oauth-flow";
import { requestSync } from "@/lib/sync/jobs/scheduler";
import { currentViewer } from "@/lib/viewer";

const PAGE = "/settings/personal/contact-sync";

/** A redirect to a path of the app where users reach it (APP_URL, the origin the provider sent
 * them back to): never built from request headers a client or proxy could set. */
function redirectTo(path: string): NextResponse {
  return NextResponse.redirect(new URL(path, env().APP_URL), 303);
}

export async function GET(request: Request, { params }: { params: Promise<{ provider: string }> }) {
  const back = (query: Record<string, string>) => redirectTo(`${PAGE}?${new URLSearchParams(query)}`);
  const viewer = await currentViewer();
  if (!viewer) return redirectTo("/sign-in");
  const { provider } = await params;
  try {
    const db = await getDb();
    const result = await finishAuthorization(db, viewer, { provider, params: new URL(request.url).searchParams });
    // A group that awaits its first sync is previewed first (a failure to list it stays on the
    // connection, shown on the page); a reconnected connection with a group resumes at once.
    if (result.firstSync) await prepareFirstSync(db, viewer, result.connectionId).catch((error) => {
      if (!(error instanceof UserError)) throw error;
    });
    else if (result.reconnected) await requestSync(db, result.connectionId);
    return back({ connection: result.connectionId, [result.reconnected ? "reconnected" : "connected"]: "1" });
  } catch (error) {
    if (error instanceof OAuthFlowError) return back({ error: error.code });
    if (error instanceof UserError) return back({ error: "forbidden" });
    console.error("[oauth] callback failed", error instanceof Error ? error.message : error);
    return back({ error: "unexpected" });
  }
}
