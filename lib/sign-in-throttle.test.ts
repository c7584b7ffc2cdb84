import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { testDatabases } from "@/tests/kit/databases";
import { ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, claimAttempt, delayAfter, recordFailure, recordSuccess, throttleWait } from "./sign-in-throttle";

describe("delayAfter", () => {
  it("is free for the first failures, then doubles up to a cap", () => {
    expect(delayAfter(ACCOUNT_FREE_FAILURES - 1, ACCOUNT_FREE_FAILURES)).toBe(0);
    expect(delayAfter(ACCOUNT_FREE_FAILURES, ACCOUNT_FREE_FAILURES)).toBe(1_000);
    expect(delayAfter(ACCOUNT_FREE_FAILURES + 3, ACCOUNT_FREE_FAILURES)).toBe(8_000);
    expect(delayAfter(ACCOUNT_FREE_FAILURES + 40, ACCOUNT_FREE_FAILURES)).toBe(15 * 60_000);
  });
});

describe.each(testDatabases())("sign-in throttle on $name", ({ open }) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("slows an account down after repeated failures, growing the delay", async () => {
    const keys = { account: "victim@acme.test", address: "10.0.0.1" };
    const t0 = new Date("2026-01-01T00:00:00Z");
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) await recordFailure(handle.db, keys, t0);
    expect(await throttleWait(handle.db, keys, t0)).toBe(0);
    await recordFailure(handle.db, keys, t0);
    expect(await throttleWait(handle.db, keys, t0)).toBe(1_000);
    await recordFailure(handle.db, keys, t0);
    expect(await throttleWait(handle.db, keys, t0)).toBe(2_000);
    expect(await throttleWait(handle.db, keys, new Date(t0.getTime() + 2_000))).toBe(0);
    // The same account from another address is slowed down too.
    expect(await throttleWait(handle.db, { account: "VICTIM@acme.test", address: "10.9.9.9" }, t0)).toBe(2_000);
    // A success clears the account.
    await recordSuccess(handle.db, keys);
    expect(await throttleWait(handle.db, { account: keys.account, address: null }, t0)).toBe(0);
  });

  it("slows an address down that sprays many accounts", async () => {
    const t0 = new Date("2026-01-02T00:00:00Z");
    for (let i = 0; i < ADDRESS_FREE_FAILURES; i++) {
      await recordFailure(handle.db, { account: `user${i}@acme.test`, address: "10.0.0.66" }, t0);
    }
    expect(await throttleWait(handle.db, { account: "fresh@acme.test", address: "10.0.0.66" }, t0)).toBe(1_000);
    expect(await throttleWait(handle.db, { account: "fresh@acme.test", address: "10.0.0.67" }, t0)).toBe(0);
  });

  it("counts a refused attempt against none of its keys", async () => {
    const t0 = new Date("2026-01-04T00:00:00Z");
    const user = { key: "connect-user:u1", free: 3 };
    const server = { key: "connect-server:blocked.example", free: 1 };
    // The server's count has run out; the user's has not.
    expect(await claimAttempt(handle.db, [server], t0)).toBe(0);
    for (let i = 0; i < 5; i++) expect(await claimAttempt(handle.db, [user, server], t0)).toBeGreaterThan(0);
    // The refused attempts at the blocked server cost the user nothing: another server is free.
    expect(await throttleWait(handle.db, [user], t0)).toBe(0);
    expect(await claimAttempt(handle.db, [user, { key: "connect-server:other.example", free: 20 }], t0)).toBe(0);
  });

  it("forgets failures older than an hour", async () => {
    const keys = { account: "old@acme.test", address: null };
    const t0 = new Date("2026-01-03T00:00:00Z");
    for (let i = 0; i < ACCOUNT_FREE_FAILURES + 2; i++) await recordFailure(handle.db, keys, t0);
    const later = new Date(t0.getTime() + 2 * 60 * 60_000);
    await recordFailure(handle.db, keys, later);
    expect(await throttleWait(handle.db, keys, later)).toBe(0);
  });
});
