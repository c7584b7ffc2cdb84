// Who may sync: a user holding both "add persons" and "add organizations" (a sync creates
// both). Checked when a user sets up or manages sync, and by every run acting for a user: a
// connection whose user lost it, or was deactivated, pauses instead of running.
import type { Viewer } from "@/db/queries/visibility";
import { ForbiddenError } from "@/lib/errors";

export function canSetUpSync(viewer: Viewer): boolean {
  return viewer.canAddPersons && viewer.canAddOrganizations;
}

export function requireSyncPermission(viewer: Viewer): void {
  if (!canSetUpSync(viewer)) {
    throw new ForbiddenError("sync.noPermission");
  }
}
