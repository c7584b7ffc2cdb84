// Live status of one of the signed-in user's connections, polled by the dashboard.
import { getDb } from "@/db";
import { noteUserActive } from "@/lib/sync/live/checks";
import { listConnectionSummaries } from "@/lib/sync/screens/dashboard";
import { currentViewer } from "@/lib/viewer";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await currentViewer();
  if (!viewer) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await params;
  const db = await getDb();
  // The dashboard open counts as the user being active (checks every minute).
  await noteUserActive(db, viewer.id);
  const [summary] = await listConnectionSummaries(db, viewer, id);
  if (!summary) return Response.json({ error: "Not found." }, { status: 404 });
  return Response.json(
    {
      id: summary.id,
      status: summary.status,
      lastError: summary.lastError,
      inSync: summary.inSync,
      heldDeletions: summary.heldDeletions,
      waiting: summary.waiting,
      running: summary.running,
      interrupted: summary.interrupted,
      lastRunAt: summary.lastRunAt,
      lastSuccessAt: summary.lastSuccessAt,
      nextRunAt: summary.nextRunAt,
      manualOnly: summary.syncIntervalMinutes === 0,
      live: summary.live,
      intervalMinutes: summary.intervalMinutes,
      lastRun: summary.lastRun,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
