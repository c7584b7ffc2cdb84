import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { users } from "@/db/schema";
import { seedDemo, type SeededDemo } from "@/db/seed";
import { testDatabases } from "@/tests/kit/databases";
import { DEMO_PASSWORD, hashPassword } from "./password";
import { checkCredentials } from "./sign-in";

describe.each(testDatabases())("signing in on $name", ({ open }) => {
  let handle: DbHandle;
  let demo: SeededDemo;
  beforeAll(async () => {
    handle = await open();
    demo = await seedDemo(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("signs a demo user in with the published password in demo mode only", async () => {
    const input = { email: "east@acme.test", password: DEMO_PASSWORD, address: "10.1.0.1" };
    expect(await checkCredentials(handle.db, input, { demo: true })).toMatchObject({ id: demo.users.east, companyId: demo.companyId });
    expect(await checkCredentials(handle.db, input, { demo: false })).toBeNull();
  });

  it("refuses the published password outside demo mode for any account, and signs its own password in", async () => {
    // An administrator of a real installation who gave an account the demo's password.
    await handle.db.update(users).set({ passwordHash: await hashPassword(DEMO_PASSWORD) }).where(eq(users.id, demo.users.west));
    expect(await checkCredentials(handle.db, { email: "west@acme.test", password: DEMO_PASSWORD, address: null }, { demo: false })).toBeNull();
    await handle.db.update(users).set({ passwordHash: await hashPassword("a password of its own") }).where(eq(users.id, demo.users.west));
    expect(await checkCredentials(handle.db, { email: "west@acme.test", password: "a password of its own", address: null }, { demo: false })).toMatchObject({ id: demo.users.west });
  });

  it("is throttled after repeated wrong passwords for one account", async () => {
    const wrong = { email: "manager@acme.test", password: "not the password", address: null };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await checkCredentials(handle.db, wrong, { demo: true }));
    expect(answers.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(answers[5]).toBe("throttled");
  });
});
