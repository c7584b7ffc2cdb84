// Benchmark 4: two-way; after the initial sync of a 25,000-contact group, 1,000 persons are
// edited in the CRM (job title and notes, through the app's updatePerson); one run pushes them.
//   tsx bench/push.ts [--provider google|microsoft] [--db postgres|pglite] [--contacts N] [--edits 1000]
import { eq } from "drizzle-orm";
import { syncLinks } from "@/db/schema";
import { getPersonById, updatePerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import { ensureSyncCustomFields } from "@/lib/sync/engine/crm-side";
import { benchMain } from "./lib/cli";
import { report, seconds, type Target } from "./lib/report";
import { countWhere, runLine, SyncBench } from "./lib/scenario";

benchMain(
  "push",
  async ({ db, contacts, pgUrl, values, smoke }) => {
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const edits = Math.min(contacts, Number(values.edits ?? (smoke ? 100 : 1000)));
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "two_way" });
    try {
      const initial = await bench.run();
      await bench.withDb(async (d) => {
        const viewer = (await getViewer(d, bench.world.users.east!))!;
        const fields = await ensureSyncCustomFields(d, bench.world.companyId);
        const links = await d.select({ personId: syncLinks.personId }).from(syncLinks).where(eq(syncLinks.connectionId, bench.world.connectionId)).limit(edits);
        for (const { personId } of links) {
          const p = (await getPersonById(d, viewer, personId))!;
          const customFields = { ...p.customFields, [fields.jobTitle]: "Head of Sales", [fields.notes]: `Edited in Tandem (${p.lastName}).` };
          await updatePerson(d, viewer, personId, { ...p, organizationId: p.organizationId, ownerId: p.ownerId, customFields }, p.version);
        }
      });
      await bench.settle();
      const run = await bench.run();
      const updated = run.summary?.status === "done" ? run.summary.counts.providerUpdated : 0;
      if (updated !== edits) throw new Error(`expected ${edits} contacts updated at ${provider}, got ${updated}`);
      const targets: Target[] =
        provider === "google"
          ? [
              { name: "batch writes", value: countWhere(run.byEndpoint, /batchUpdateContacts/), limit: Math.ceil(edits / 200) },
              { name: "wall", value: seconds(run.ms), limit: 10, unit: " s" },
            ]
          : [
              { name: "$batch calls", value: run.byEndpoint.batch ?? 0, limit: Math.ceil(edits / 20) },
              { name: "wall", value: seconds(run.ms), limit: 10, unit: " s" },
            ];
      return report(`push-${edits}-${provider}`, db, runLine(run), targets, { contacts, edits, provider, initialMs: initial.ms, run });
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" }, edits: { type: "string" } },
);
