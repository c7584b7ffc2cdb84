// The provider's groups of one of the signed-in user's connections, read live: asked for by the
// dashboard only when the user opens a connection's settings (not on every page view).
import { getDb } from "@/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { listProviderGroups } from "@/lib/sync/manage";
import { InvalidGrantError } from "@/lib/sync/provider";
import { currentViewer } from "@/lib/viewer";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await currentViewer();
  if (!viewer) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await params;
  const headers = { "cache-control": "no-store" };
  try {
    const groups = await listProviderGroups(await getDb(), viewer, id);
    return Response.json({ groups }, { headers });
  } catch (error) {
    if (error instanceof NotFoundError) return Response.json({ error: "Not found." }, { status: 404, headers });
    if (error instanceof ForbiddenError) return Response.json({ error: error.message }, { status: 403, headers });
    if (error instanceof InvalidGrantError) {
      return Response.json({ error: "The account's access was revoked or has expired. Use Reconnect to sign in again." }, { status: 409, headers });
    }
    return Response.json({ error: "The address book's groups could not be listed right now. Try again in a moment." }, { status: 502, headers });
  }
}
