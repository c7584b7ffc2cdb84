// No installation outside demo mode has an account with a known password: the demo company (its
// users share a password the README publishes) is seeded only in demo mode.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsx = path.resolve("node_modules/.bin/tsx");
const dirs: string[] = [];

function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-seed-"));
  dirs.push(dir);
  return path.join(dir, "pglite");
}

async function usersAfterFirstStart(demoMode: "0" | "1"): Promise<number> {
  const { stdout } = await run(tsx, ["tests/security/fixtures/open-app-db.ts"], {
    env: { ...process.env, DEMO_MODE: demoMode, PGLITE_DATA_DIR: freshDataDir(), DATABASE_URL: "" },
  });
  return (JSON.parse(stdout.trim().split("\n").at(-1)!) as { users: number }).users;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("a new embedded database", () => {
  it("is seeded with the demo users in demo mode", async () => {
    expect(await usersAfterFirstStart("1")).toBe(5);
  });

  it("has no user at all outside demo mode", async () => {
    expect(await usersAfterFirstStart("0")).toBe(0);
  });
});

describe("npm run db:seed", () => {
  it("refuses outside demo mode, saying why", async () => {
    const failed = await run(tsx, ["db/cli.ts", "seed"], { env: { ...process.env, DEMO_MODE: "0", PGLITE_DATA_DIR: freshDataDir(), DATABASE_URL: "" } }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/demo mode is off/);
  });
});
