// Benchmarks 1 and 2: initial one-way sync of a 25,000-contact group with every field filled,
// from Google (people.connections.list) or Microsoft (Graph delta), and its floor: the same
// pages through the same client, the same rows in one bulk INSERT per page (lib/measured.ts).
// CardDAV: a 5,000-card book at Radicale, whose file storage is the limit; its floor is
// Radicale alone answering the same requests (sync-collection, then addressbook-multiget 100
// cards at a time) to plain fetch, with no database (lib/dav-floor.ts), and the run is reported
// as a ratio to that (the database floor above is reported beside it).
//   tsx bench/initial.ts --provider google|microsoft|carddav [--db postgres|pglite] [--contacts N] [--no-floor] [--photos 0.1] [--floor-runs 3]
import { setConfig } from "@/emulators/shared/admin-client";
import { benchMain } from "./lib/cli";
import type { DavFloorResult, DavFloorRun } from "./lib/dav-floor";
import { CARDDAV_PAGE, medianRun } from "./lib/dav-requests";
import { report, scale, seconds, type Target } from "./lib/report";
import { benchProvider, davRunLine, endpointsLine, SyncBench } from "./lib/scenario";

const ratioOf = (ms: number, floorMs: number) => Math.round((ms / floorMs) * 100) / 100;

/** The median run of each target (by wall time). */
function medians(floor: DavFloorResult): Record<string, DavFloorRun> {
  return Object.fromEntries(Object.entries(floor.byTarget).map(([name, runs]) => [name, medianRun(runs)]));
}

benchMain(
  "initial",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = benchProvider(values.provider);
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "one_way", photoShare: Number(values.photos ?? 0) });
    try {
      const run = await bench.run();
      // Then what the worker does next: the photos the run noted (not part of the run's figures).
      // Graph's photo phase runs under Outlook's limits per mailbox, as the real service applies
      // them: 4 requests at once (a $batch's too) and 10,000 per 10 minutes.
      if (provider === "microsoft") await setConfig(bench.emu.url, { throttle: { maxConcurrentPerMailbox: 4, batchConcurrency: 4, requestsPerTenMinutes: 10_000 } });
      const photos = await bench.photos();
      const photoRequests = photos.photos?.status === "done" ? photos.photos.requests : null;
      const floor = values["no-floor"] ? null : await bench.floor();
      const physical = values["no-floor"] || provider === "carddav" ? null : await bench.physicalFloor();
      const physicalRatio = physical ? ratioOf(run.ms, physical.ms) : null;
      const davFloor = provider === "carddav" ? await bench.davFloor("listing", Number(values["floor-runs"])) : null;
      const added = run.summary?.status === "done" ? run.summary.counts.crmAdded : 0;
      if (added !== contacts) throw new Error(`expected ${contacts} persons added, got ${added}`);
      const ratio = floor ? ratioOf(run.ms, floor.ms) : null;
      const dav = davFloor ? medians(davFloor) : null;
      const alone = dav?.radicale;
      const ratioToRadicale = alone ? ratioOf(run.ms, alone.ms) : null;
      const targets: Target[] =
        provider === "google"
          ? [
              { name: "People API calls", value: run.calls, limit: 26 },
              { name: "wall", value: seconds(run.ms), limit: 10, unit: " s" },
              ...(physicalRatio !== null ? [{ name: "× physical floor", value: physicalRatio, limit: 2 }] : []),
              { name: "peak RSS", value: run.peakRssMb, limit: 400, unit: " MB" },
            ]
          : provider === "microsoft"
            ? [
                { name: "Graph calls", value: run.calls, limit: 30 },
                { name: "wall", value: seconds(run.ms), limit: 12, unit: " s" },
                // The photo phase within the mailbox's limits: its requests (sub-requests of a
                // $batch counted) under 10,000, none throttled.
                ...(photoRequests !== null ? [{ name: "photo phase requests", value: photoRequests, limit: 10_000 }] : []),
                { name: "photo phase throttled (429)", value: photos.byStatus["429"] ?? 0, limit: 0 },
              ]
            : [
                // One sync-collection, then the cards 100 at a time.
                { name: "CardDAV requests", value: run.calls, limit: 1 + Math.ceil(contacts / CARDDAV_PAGE) },
                ...(ratioToRadicale !== null ? [{ name: "× Radicale alone", value: ratioToRadicale, limit: 2 }] : []),
                { name: "peak RSS", value: run.peakRssMb, limit: 400, unit: " MB" },
              ];
      const davLine =
        alone && dav.proxy
          ? `; ${davRunLine(run)}; Radicale alone (median of ${davFloor!.byTarget.radicale!.length}) ${seconds(alone.ms)} s ` +
            `(sync-collection ${alone.syncMs} ms, ${alone.requests - 1} multigets ${alone.multigetMs} ms, ${alone.cards} cards), ` +
            `through the proxy ${seconds(dav.proxy.ms)} s; ratio ${ratioToRadicale}× to Radicale alone, ${ratioOf(run.ms, dav.proxy.ms)}× through the proxy`
          : "";
      return report(
        `initial-${provider}-${scale(contacts)}`,
        db,
        `${contacts} contacts in ${seconds(run.ms)} s; provider calls ${run.calls} (${endpointsLine(run.byEndpoint)}); ` +
          `db ${run.db.statements} statements / ${run.db.transactions} transactions (${run.db.roundTrips} round trips); peak RSS ${run.peakRssMb} MB` +
          davLine +
          (floor ? `; database floor ${seconds(floor.ms)} s (${floor.db.roundTrips} round trips, peak RSS ${floor.peakRssMb} MB), ratio ${ratio}×` : "") +
          (physical
            ? `; physical floor ${seconds(physical.ms)} s (fetch ${seconds(physical.fetch.ms)} s, ${physical.fetch.calls} calls, CPU ${physical.fetch.cpuMs} ms` +
              (physical.copy ? `; COPY ${seconds(physical.copy.ms)} s)` : "; no COPY on PGlite)") +
              ` ratio ${physicalRatio}×`
            : "") +
          `; then photos: ${photos.photos?.status === "done" ? `${photos.photos.checked} checked, ${photos.photos.fetched} fetched, ${photos.photos.requests} requests` : "skipped"} in ${seconds(photos.ms)} s, ${photos.calls} calls (${endpointsLine(photos.byEndpoint)}; statuses ${JSON.stringify(photos.byStatus)})`,
        targets,
        { contacts, seedMs: bench.seedMs, run, photos, floor, ratioToFloor: ratio, physicalFloor: physical, ratioToPhysicalFloor: physicalRatio, ...(davFloor ? { davFloor, ratioToRadicale } : {}) },
      );
    } finally {
      await bench.close();
    }
  },
  {
    provider: { type: "string", default: "google" },
    "no-floor": { type: "boolean", default: false },
    photos: { type: "string", default: "0" },
    "floor-runs": { type: "string", default: "3" },
  },
);
