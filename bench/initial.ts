// Benchmarks 1 and 2: initial one-way sync of a 25,000-contact group with every field filled,
// from Google (people.connections.list) or Microsoft (Graph delta), and its floor: the same
// pages through the same client, the same rows in one bulk INSERT per page (lib/measured.ts).
//   tsx bench/initial.ts --provider google|microsoft [--db postgres|pglite] [--contacts N] [--no-floor] [--photos 0.1]
import { benchMain } from "./lib/cli";
import { report, scale, seconds, type Target } from "./lib/report";
import { endpointsLine, SyncBench } from "./lib/scenario";

benchMain(
  "initial",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "one_way", photoShare: Number(values.photos ?? 0) });
    try {
      const run = await bench.run();
      // Then what the worker does next: the photos the run noted (not part of the run's figures).
      const photos = await bench.photos();
      const floor = values["no-floor"] ? null : await bench.floor();
      const added = run.summary?.status === "done" ? run.summary.counts.crmAdded : 0;
      if (added !== contacts) throw new Error(`expected ${contacts} persons added, got ${added}`);
      const ratio = floor ? Math.round((run.ms / floor.ms) * 100) / 100 : null;
      const targets: Target[] =
        provider === "google"
          ? [
              { name: "People API calls", value: run.calls, limit: 26 },
              { name: "wall", value: seconds(run.ms), limit: 10, unit: " s" },
              ...(ratio !== null ? [{ name: "× floor", value: ratio, limit: 2 }] : []),
              { name: "peak RSS", value: run.peakRssMb, limit: 400, unit: " MB" },
            ]
          : [
              { name: "Graph calls", value: run.calls, limit: 30 },
              { name: "wall", value: seconds(run.ms), limit: 12, unit: " s" },
            ];
      return report(
        `initial-${provider}-${scale(contacts)}`,
        db,
        `${contacts} contacts in ${seconds(run.ms)} s; provider calls ${run.calls} (${endpointsLine(run.byEndpoint)}); ` +
          `db ${run.db.statements} statements / ${run.db.transactions} transactions (${run.db.roundTrips} round trips); peak RSS ${run.peakRssMb} MB` +
          (floor ? `; floor ${seconds(floor.ms)} s (${floor.db.roundTrips} round trips, peak RSS ${floor.peakRssMb} MB), ratio ${ratio}×` : "") +
          `; then photos: ${photos.photos?.status === "done" ? `${photos.photos.checked} checked, ${photos.photos.fetched} fetched` : "skipped"} in ${seconds(photos.ms)} s, ${photos.calls} calls (${endpointsLine(photos.byEndpoint)})`,
        targets,
        { contacts, seedMs: bench.seedMs, run, photos, floor, ratioToFloor: ratio },
      );
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" }, "no-floor": { type: "boolean", default: false }, photos: { type: "string", default: "0" } },
);
