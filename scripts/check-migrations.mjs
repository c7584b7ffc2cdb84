// Fails when db/schema.ts has changes that no committed migration covers: drizzle-kit
// generates into a scratch copy of the migrations and must find nothing to do.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-migrations-"));
try {
  fs.cpSync("db/migrations", scratch, { recursive: true });
  const out = execFileSync(
    "node_modules/.bin/drizzle-kit",
    // drizzle-kit wants a path relative to the project.
    ["generate", "--dialect", "postgresql", "--schema", "./db/schema.ts", "--out", path.relative(process.cwd(), scratch)],
    { encoding: "utf8" },
  );
  if (!/No schema changes/.test(out)) {
    console.error("db/schema.ts has changes without a migration. Run `npm run db:generate` and commit the result.\n" + out);
    process.exit(1);
  }
  console.log("Migrations are in step with db/schema.ts.");
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
