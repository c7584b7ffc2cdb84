// Runs once when the server starts: open, migrate and (for a new embedded database) seed, so
// the first visitor does not wait for it and a broken configuration fails at start-up; start
// the emulators of providers in demo mode (in the first app process); start this process's
// sync worker.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getDbHandle } = await import("./db");
  const handle = await getDbHandle();
  console.log(`[tandem] database ready (${handle.driver === "pglite" ? "embedded PGlite" : "Postgres server"})`);
  const { demoMode } = await import("./lib/env");
  const { hasAnyUser } = await import("./db/queries/users");
  if (!demoMode() && !(await hasAnyUser(handle.db))) {
    console.warn("[tandem] This database has no user yet, and demo mode is off: the demo company (whose users share a published password) is seeded only in demo mode (DEMO_MODE=1).");
  }
  // Several app processes (scripts/start.mjs, WEB_CONCURRENCY): the first serves the emulators.
  if ((process.env.TANDEM_PROCESS_INDEX ?? "0") === "0") {
    const { demoProviders } = await import("./lib/sync/providers/registry");
    const demo = demoProviders();
    if (demo.length > 0) {
      const { startDemoEmulators } = await import("./emulators/demo");
      await startDemoEmulators(demo);
      console.log(
        `[tandem] DEMO MODE: ${demo.map((d) => d.profile.shortName).join(" and ")} accounts are served by local emulators with demo address books. ` +
          "Configure the providers' OAuth clients (or set DEMO_MODE=0) to turn it off.",
      );
    }
  }
  const { env } = await import("./lib/env");
  if (env().SYNC_WORKER === "on") {
    const { startInProcessWorker } = await import("./lib/sync/jobs/scheduler");
    if (handle.driver === "pglite") {
      // Only this process can open the embedded database: leases in it died with the last one.
      const { lapseLeftoverLeases } = await import("./lib/sync/jobs/lease");
      const n = await lapseLeftoverLeases(handle.db);
      if (n > 0) console.log(`[tandem] ${n} sync run${n === 1 ? "" : "s"} interrupted by the last stop will resume now`);
    }
    startInProcessWorker({ db: handle.db });
  }
}
