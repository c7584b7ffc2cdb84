// Benchmark 3: after the initial sync of a 25,000-contact group, 10 contacts change at the
// provider (3 created, 4 updated, 3 deleted); one incremental run is measured.
//   tsx bench/incremental.ts [--provider google|microsoft] [--db postgres|pglite] [--contacts N]
import { changeAtProvider } from "./lib/address-book";
import { benchMain } from "./lib/cli";
import { report, scale, seconds } from "./lib/report";
import { countWhere, providerWrites, runLine, SyncBench } from "./lib/scenario";

benchMain(
  "incremental",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "one_way" });
    try {
      const initial = await bench.run();
      await bench.settle();
      await changeAtProvider(bench.book, { create: 3, update: 4, del: 3 });
      const run = await bench.run();
      const counts = run.summary?.status === "done" ? run.summary.counts : null;
      if (!counts || counts.crmAdded !== 3 || counts.crmUpdated !== 4 || counts.crmDeleted !== 3) {
        throw new Error(`expected 3 added, 4 updated, 3 deleted; got ${JSON.stringify(counts)}`);
      }
      const lists = countWhere(run.byEndpoint, /connections\.list|contacts\.delta/);
      const reads = run.calls - lists;
      return report(
        `incremental-10-of-${scale(contacts)}-${provider}`,
        db,
        runLine(run),
        [
          { name: "list calls", value: lists, limit: 1 },
          { name: "other reads", value: reads, limit: 10 },
          { name: "provider writes", value: providerWrites(run.byEndpoint), limit: 0 },
          { name: "wall", value: seconds(run.ms), limit: 0.5, unit: " s" },
        ],
        { contacts, provider, initialMs: initial.ms, run },
      );
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" } },
);
