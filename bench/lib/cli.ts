// What every benchmark script shares: its options and its main().
//   --db postgres|pglite     (default postgres; Postgres from BENCH_PG_URL / TEST_PG_URL, else a
//                             throwaway server started for the run)
//   --contacts N             (the scale; default 25,000; CardDAV 5,000)
//   --smoke                  (CI size: 500 contacts, CardDAV 200; targets reported but not enforced)
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { DbKind } from "./db";
import { postgresServer } from "./db";
import { ensureBenchProcess } from "./proc";

export type BenchArgs = { db: DbKind; contacts: number; smoke: boolean; pgUrl: string | undefined; values: Record<string, string | boolean | undefined> };

type Scale = { contacts?: number; smokeContacts?: number };

/** A real CardDAV server (Radicale) stores a card per file and writes one at a time: its
 * benchmarks run at 5,000 contacts, not Google's maximum. */
const PROVIDER_SCALE: Record<string, Scale> = { carddav: { contacts: 5_000, smokeContacts: 200 } };

export function benchMain(
  name: string,
  body: (args: BenchArgs) => Promise<boolean | void>,
  extra: NonNullable<ParseArgsConfig["options"]> = {},
  defaults: Scale = {},
): void {
  if (!ensureBenchProcess()) return;
  const { values } = parseArgs({
    options: {
      db: { type: "string", default: "postgres" },
      contacts: { type: "string" },
      smoke: { type: "boolean", default: false },
      ...extra,
    },
    allowPositionals: false,
  });
  const smoke = values.smoke === true;
  const db: DbKind = values.db === "pglite" ? "pglite" : "postgres";
  const provider = (values as BenchArgs["values"]).provider;
  const scale = { ...defaults, ...(typeof provider === "string" ? PROVIDER_SCALE[provider] : {}) };
  const contacts = Number(values.contacts ?? (smoke ? (scale.smokeContacts ?? 500) : (scale.contacts ?? 25_000)));
  process.on("SIGINT", () => process.exit(130));
  const run = async () => {
    const pgUrl = db === "postgres" ? postgresServer().url : undefined;
    const met = await body({ db, contacts, smoke, pgUrl, values: values as BenchArgs["values"] });
    // A missed target is a finding, not a crash; --strict makes it fail (not used by CI smoke).
    if (met === false && process.env.BENCH_STRICT === "1") process.exitCode = 1;
  };
  run()
    .catch((error: unknown) => {
      console.error(`${name} failed:`, error);
      process.exitCode = 1;
    })
    .finally(() => {
      // Children and pools are closed by the scripts; do not wait for stray handles.
      setTimeout(() => process.exit(), 100).unref();
    });
}
