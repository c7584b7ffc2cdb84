// npm run db:migrate | db:seed — against DATABASE_URL, or the embedded database when unset.
import { createDb } from "./client";
import { seedDemoIfEmpty } from "./seed";
import { demoMode, env, pgliteDataDir } from "@/lib/env";

async function main(command: string | undefined): Promise<void> {
  if (command !== "migrate" && command !== "seed") {
    throw new Error("usage: tsx db/cli.ts migrate|seed");
  }
  // The demo users share a password the README publishes: never on an installation that is not
  // a demo.
  if (command === "seed" && !demoMode()) {
    throw new Error("Not seeded: demo mode is off (DEMO_MODE=0, or a provider's OAuth client is configured), and the demo users' password is published. Seed a demo with DEMO_MODE=1.");
  }
  const url = env().DATABASE_URL;
  const handle = await createDb(url ? { url, max: 1 } : { dataDir: pgliteDataDir() });
  const where = url ? "the Postgres server" : `the embedded database (${pgliteDataDir() ?? "memory"})`;
  try {
    if (command === "migrate") {
      console.log(`Migrations applied to ${where}.`);
    } else {
      const seeded = await seedDemoIfEmpty(handle.db);
      console.log(seeded ? `Demo company seeded into ${where}.` : `Nothing seeded: ${where} already has data.`);
    }
  } finally {
    await handle.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
