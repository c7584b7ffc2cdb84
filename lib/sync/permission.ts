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
    throw new ForbiddenError('Setting up contact sync needs both the "add persons" and "add organizations" permissions. Ask a global admin.');
  }
}

export const PAUSED_USER_INACTIVE = "Paused: the user was deactivated. It resumes only when they resume it.";
export const PAUSED_NO_PERMISSION =
  'Paused: the user no longer has both the "add persons" and "add organizations" permissions. It resumes only when they resume it.';
