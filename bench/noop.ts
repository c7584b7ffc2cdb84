// Benchmark 5: a run when nothing changed on either side, after the initial sync of a
// 25,000-contact group. Two-way by default (the push phase looks for CRM changes too).
// CardDAV: a 5,000-card book at Radicale, which reads every card of the book to answer any
// sync-collection, "nothing changed" included: its answer alone is the floor (Radicale alone,
// lib/dav-floor.ts), and the 0.2 s target applies to the run less its wait for that answer.
//   tsx bench/noop.ts [--provider google|microsoft|carddav] [--direction two_way|one_way] [--db postgres|pglite] [--contacts N] [--runs 3]
import { benchMain } from "./lib/cli";
import { medianRun } from "./lib/dav-requests";
import { report, scale, seconds, type Target } from "./lib/report";
import { benchProvider, davRunLine, providerWrites, runLine, SyncBench, type RunFigures } from "./lib/scenario";

/** Tables that hold contacts; sync_runs / sync_connections rows are the run's bookkeeping. */
const CONTACT_TABLES = /^(?:(?:insert|update|delete) )?(persons|sync_links|sync_events|organizations|person_pictures)$/;

/** Rows written to contact tables (pg_stat_user_tables); else statements that would write
 * them, even when they match no row. */
function contactWrites(run: RunFigures): number {
  if (run.rowsWritten) {
    return Object.entries(run.rowsWritten)
      .filter(([table]) => CONTACT_TABLES.test(table))
      .reduce((n, [, v]) => n + [...v.matchAll(/\d+/g)].reduce((m, d) => m + Number(d[0]), 0), 0);
  }
  return Object.entries(run.db.writes).reduce((n, [k, v]) => (CONTACT_TABLES.test(k) ? n + v : n), 0);
}

benchMain(
  "noop",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = benchProvider(values.provider);
    const direction = values.direction === "one_way" ? "one_way" : "two_way";
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction });
    try {
      const initial = await bench.run();
      await bench.settle();
      // The first run after the initial one is the benchmark; later ones (--runs) show the steady
      // state (the first still examines the persons the initial run created after its start).
      const runs: RunFigures[] = [];
      for (let i = 0; i < Number(values.runs); i++) runs.push(await bench.run());
      const run = runs[0]!;
      const later = runs.slice(1).map((r) => r.ms);
      const davFloor = provider === "carddav" ? await bench.davFloor("changes", Number(values["floor-runs"])) : null;
      const alone = davFloor?.byTarget.radicale;
      const aloneMs = alone ? medianRun(alone).ms : null;
      // CardDAV: what the run adds to the server's answer (its one request is made alone).
      const ours = (r: RunFigures) => r.ms - r.http.waitMs;
      const wall: Target[] =
        provider === "carddav"
          ? [
              { name: "wall less waiting on the server", value: seconds(ours(run)), limit: 0.2, unit: " s" },
              ...(later.length > 0 ? [{ name: "wall less waiting on the server, later runs (max)", value: seconds(Math.max(...runs.slice(1).map(ours))), limit: 0.2, unit: " s" }] : []),
            ]
          : [
              { name: "wall", value: seconds(run.ms), limit: 0.2, unit: " s" },
              ...(later.length > 0 ? [{ name: "wall, later runs (max)", value: seconds(Math.max(...later)), limit: 0.2, unit: " s" }] : []),
            ];
      return report(
        `noop-${scale(contacts)}-${provider}`,
        db,
        `${direction}; ${runLine(run)}${later.length > 0 ? `; later runs ${later.join(", ")} ms` : ""}` +
          (aloneMs !== null ? `; ${davRunLine(run)}; Radicale alone answering the sync-collection (median of ${alone!.length}) ${aloneMs} ms, ratio ${Math.round((run.ms / aloneMs) * 100) / 100}×` : ""),
        [
          ...wall,
          { name: "provider writes", value: Math.max(...runs.map((r) => providerWrites(r.byEndpoint))), limit: 0 },
          { name: "CRM contact writes", value: Math.max(...runs.map(contactWrites)), limit: 0 },
        ],
        {
          contacts,
          provider,
          direction,
          initialMs: initial.ms,
          run,
          laterRuns: runs.slice(1),
          ...(davFloor && aloneMs !== null ? { davFloor, ratioToRadicale: Math.round((run.ms / aloneMs) * 100) / 100 } : {}),
        },
      );
    } finally {
      await bench.close();
    }
  },
  {
    provider: { type: "string", default: "google" },
    direction: { type: "string", default: "two_way" },
    runs: { type: "string", default: "3" },
    "floor-runs": { type: "string", default: "3" },
  },
);
