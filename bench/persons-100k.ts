// Benchmark 7: the persons list of a non-admin user ("east", role Sales East under Sales
// Manager) in a company of 100,000 persons spread over 25 owners, 5 roles and every visibility
// level: p50/p95/p99 of the first page, and of two searches (a common last name, and a
// selective e-mail/phone fragment). Each sample is what the /persons page does: getViewer, then
// listPersons (rows and total).
//   tsx bench/persons-100k.ts [--db postgres|pglite] [--persons 100000] [--iterations 200]
//        [--explain] (EXPLAIN ANALYZE of each query)
//        [--extra-sql "create index …; vacuum analyze persons"] (statements run before measuring: a candidate fix)
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { getViewer } from "@/db/queries/users";
import * as realPersons from "@/db/queries/persons";
import type { ListPersonsOptions } from "@/db/queries/persons";
import { seedDemo } from "@/db/seed";
import type { DB } from "@/db/client";
import { benchMain } from "./lib/cli";
import { freshDatabase, openCounted, openPlain } from "./lib/db";
import { inline } from "./lib/explain";
import { latencySummary, report, scale } from "./lib/report";

const FIRST = ["Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Mia", "Lucas", "Harper", "Mateo", "Zoë", "José", "Chloé", "Björn"];
const LAST = ["Smith", "Johnson", "García", "Müller", "Rossi", "Nakamura", "Kowalski", "Dubois", "Silva", "Andersson", "O'Brien", "Novak"];
const arr = (xs: string[]) => sql.raw(`(array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(",")}])`);

/** 20 more users over the demo roles (and none), then `n` persons in one INSERT … SELECT:
 * owner and visibility vary independently; the viewer follows a tenth of the "followers" ones. */
async function seedCompany(db: DB, n: number): Promise<string> {
  const demo = await seedDemo(db);
  const roles = [demo.roles.manager, demo.roles.east, demo.roles.west, demo.roles.support, null];
  for (let i = 0; i < 20; i++) {
    await db.execute(sql`insert into users (company_id, name, email, password_hash, role_id)
      values (${demo.companyId}, ${`User ${i}`}, ${`user${i}@acme.test`}, 'x', ${roles[i % roles.length]})`);
  }
  await db.execute(sql`insert into organizations (company_id, name, owner_id)
    select ${demo.companyId}, 'Organization ' || g, ${demo.users.admin} from generate_series(1, 200) g`);
  await db.execute(sql`
    with u as (select array_agg(id order by email) ids from users where company_id = ${demo.companyId}),
         o as (select array_agg(id order by name) ids from organizations where company_id = ${demo.companyId}),
         g as (select i, ${arr(FIRST)}[1 + i % ${sql.raw(String(FIRST.length))}] f, ${arr(LAST)}[1 + (i / 7) % ${sql.raw(String(LAST.length))}] l from generate_series(1, ${sql.raw(String(n))}) i)
    insert into persons (company_id, first_name, last_name, emails, phones, organization_id, owner_id, visibility, search_text, created_at, updated_at)
    select ${demo.companyId}, g.f, g.l,
      jsonb_build_array(jsonb_build_object('value', 'person' || g.i || '@example.com', 'label', 'work')),
      jsonb_build_array(jsonb_build_object('value', '+1415' || lpad((g.i % 10000000)::text, 7, '0'), 'label', 'mobile')),
      case when g.i % 2 = 0 then o.ids[1 + g.i % 200] end,
      u.ids[1 + g.i % array_length(u.ids, 1)],
      (array['owner','group','group_subgroups','followers','company']::visibility[])[1 + (g.i / 3) % 5],
      lower(g.f || ' ' || g.l || ' person' || g.i || '@example.com +1415' || lpad((g.i % 10000000)::text, 7, '0')),
      now() - (g.i || ' seconds')::interval, now()
    from g, u, o`);
  await db.execute(sql`insert into person_followers (person_id, user_id)
    select id, ${demo.users.east} from persons where visibility = 'followers' and company_id = ${demo.companyId} and abs(hashtext(id::text)) % 10 = 0`);
  await db.execute(sql`analyze`);
  return demo.users.east;
}

benchMain(
  "persons-100k",
  async ({ db: kind, pgUrl, values, smoke }) => {
    const n = Number(values.persons ?? (smoke ? 5000 : 100_000));
    const iterations = Number(values.iterations ?? (smoke ? 20 : 200));
    const { target, drop } = await freshDatabase(kind, pgUrl);
    try {
      const handle = await openPlain(target);
      const viewerId = await seedCompany(handle.db, n).finally(() => handle.close());
      const { db, counter, close } = await openCounted(target, 10);
      try {
        for (const statement of String(values["extra-sql"] ?? "").split(";").filter((x) => x.trim())) await db.execute(sql.raw(statement));
        const cases: [string, ListPersonsOptions][] = [
          ["first page", {}],
          ["search common name", { q: "smith" }],
          ["search e-mail fragment", { q: "person4242" }],
        ];
        // BENCH_PERSONS_MODULE=<file>: a patched copy of db/queries/persons.ts (a proposed query change).
        const patched = process.env.BENCH_PERSONS_MODULE;
        const { listPersons } = patched ? ((await import(pathToFileURL(path.resolve(patched)).href)) as typeof realPersons) : realPersons;
        const results: Record<string, ReturnType<typeof latencySummary> & { total: number }> = {};
        for (const [name, opts] of cases) {
          const once = async () => listPersons(db, (await getViewer(db, viewerId))!, opts);
          for (let i = 0; i < Math.min(20, iterations); i++) await once(); // warm-up
          const samples: number[] = [];
          let total = 0;
          for (let i = 0; i < iterations; i++) {
            const t = performance.now();
            total = (await once()).total;
            samples.push(performance.now() - t);
          }
          results[name] = { ...latencySummary(samples), total };
          if (values.explain) {
            counter.capture = [];
            await once();
            for (const q of counter.capture.filter((c) => /from "persons"/.test(c.query))) {
              const plan: unknown = await db.execute(sql.raw(`explain (analyze, buffers) ${inline(q.query, q.params)}`));
              const rows = (Array.isArray(plan) ? plan : (plan as { rows: unknown[] }).rows) as Record<string, string>[];
              console.log(`\n-- ${name}\n${rows.map((r) => Object.values(r)[0]).join("\n")}`);
            }
            counter.capture = null;
          }
        }
        const line = Object.entries(results)
          .map(([k, r]) => `${k}: p50 ${r.p50} / p95 ${r.p95} / p99 ${r.p99} ms (${r.total} visible)`)
          .join("; ");
        return report(
          `persons-${scale(n)}`,
          kind,
          `${iterations} requests each, sequential; ${line}`,
          Object.entries(results).map(([k, r]) => ({ name: `${k} p95`, value: r.p95, limit: 100, unit: " ms" })),
          { persons: n, iterations, extraSql: values["extra-sql"] ?? null, personsModule: patched ?? "db/queries/persons.ts", results },
        );
      } finally {
        await close();
      }
    } finally {
      await drop();
    }
  },
  {
    persons: { type: "string" },
    iterations: { type: "string" },
    explain: { type: "boolean", default: false },
    "extra-sql": { type: "string" },
  },
);
