// The floor of benchmark 1 on its own: the initial sync's pages fetched through the same client,
// the same rows written with one bulk INSERT statement per page, nothing else (lib/measured.ts).
// bench/initial.ts runs it too and reports the sync as a ratio to it.
//   tsx bench/floor.ts [--provider google|microsoft|carddav] [--db postgres|pglite] [--contacts N]
import { benchMain } from "./lib/cli";
import { report, scale, seconds } from "./lib/report";
import { benchProvider, runLine, SyncBench } from "./lib/scenario";

benchMain(
  "floor",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = benchProvider(values.provider);
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "one_way" });
    try {
      const floor = await bench.floor();
      if (floor.rows !== contacts) throw new Error(`floor wrote ${floor.rows} rows, expected ${contacts}`);
      return report(`floor-initial-${provider}-${scale(contacts)}`, db, `${seconds(floor.ms)} s; ${runLine(floor)}`, [], { contacts, floor });
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" } },
);
