// Providers that cannot tell us of a change (Google, CardDAV) are checked every minute while the
// user is active — signed in and using the app within the hour, or with the dashboard open
// (its status poll counts) — with one cheap request (adapter.changedSince); a run follows only a
// change. An idle user's connections keep their interval.
import type { DB } from "@/db/client";
import { noteUserSeen } from "@/db/queries/sync/run-requests";
import { providerDefinitions } from "../providers/registry";

/** The providers checked between runs (the others notify). */
export function checkedProviders(): string[] {
  return providerDefinitions()
    .filter((d) => d.live === "checks")
    .map((d) => d.id);
}

/** The user is using the app now (never fails a page: a failure here only delays a check). */
export async function noteUserActive(db: DB, userId: string): Promise<void> {
  await noteUserSeen(db, userId, checkedProviders()).catch(() => {});
}
