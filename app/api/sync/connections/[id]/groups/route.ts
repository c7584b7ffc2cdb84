// The provider's groups of one of the signed-in user's connections, read live: asked for by the
// dashboard only when the user opens a connection's settings (not on every page view).
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { ForbiddenError, NotFoundError, translateUserError } from "@/lib/errors";
import { listProviderGroups } from "@/lib/sync/accounts/manage";
import { InvalidGrantError } from "@/lib/sync/model/provider";
import { currentViewer } from "@/lib/viewer";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await currentViewer();
  // The messages are shown to the user, in their language.
  const t = await getTranslations();
  if (!viewer) return Response.json({ error: t("errors.request.signIn") }, { status: 401 });
  const { id } = await params;
  const headers = { "cache-control": "no-store" };
  try {
    const groups = await listProviderGroups(await getDb(), viewer, id);
    return Response.json({ groups }, { headers });
  } catch (error) {
    if (error instanceof NotFoundError) return Response.json({ error: t("errors.request.notFound") }, { status: 404, headers });
    if (error instanceof ForbiddenError) return Response.json({ error: translateUserError(error, t).message }, { status: 403, headers });
    if (error instanceof InvalidGrantError) return Response.json({ error: t("contactSync.revoked") }, { status: 409, headers });
    return Response.json({ error: t("contactSync.groupsFailed") }, { status: 502, headers });
  }
}
