// Benchmark 5: a run when nothing changed on either side, after the initial sync of a
// 25,000-contact group. Two-way by default (the push phase looks for CRM changes too).
//   tsx bench/noop.ts [--provider google|microsoft] [--direction two_way|one_way] [--db postgres|pglite] [--contacts N]
import { benchMain } from "./lib/cli";
import { report, scale, seconds } from "./lib/report";
import { providerWrites, runLine, SyncBench, type RunFigures } from "./lib/scenario";

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
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const direction = values.direction === "one_way" ? "one_way" : "two_way";
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction });
    try {
      const initial = await bench.run();
      await bench.settle();
      const run = await bench.run();
      const crmWrites = contactWrites(run);
      return report(
        `noop-${scale(contacts)}-${provider}`,
        db,
        `${direction}; ${runLine(run)}`,
        [
          { name: "wall", value: seconds(run.ms), limit: 0.2, unit: " s" },
          { name: "provider writes", value: providerWrites(run.byEndpoint), limit: 0 },
          { name: "CRM contact writes", value: crmWrites, limit: 0 },
        ],
        { contacts, provider, direction, initialMs: initial.ms, run },
      );
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" }, direction: { type: "string", default: "two_way" } },
);
