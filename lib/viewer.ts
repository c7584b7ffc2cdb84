// Who is asking, once per request: the session's user re-read from the database.
import { cache } from "react";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import type { Viewer } from "@/db/queries/visibility";
import { getViewer } from "@/db/queries/users";
import { auth } from "./auth";

export const currentViewer = cache(async (): Promise<Viewer | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const viewer = await getViewer(await getDb(), userId);
  if (!viewer || viewer.companyId !== session.user.companyId) return null;
  return viewer;
});

/** For pages: the viewer, or off to the sign-in page. */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) redirect("/sign-in");
  return viewer;
}
