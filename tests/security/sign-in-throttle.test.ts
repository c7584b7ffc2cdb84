// The sign-in throttle under attack: addresses a client makes up, and wrong passwords sent in
// parallel. (The Playwright security spec sends the same through the running app.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, claimAttempt, recordSuccess } from "@/lib/sign-in-throttle";
import { clientAddress } from "@/scripts/client-address.mjs";
import { testDatabases } from "@/tests/kit/databases";

describe("the client address the throttle keys on", () => {
  it("is the socket's peer, whatever X-Forwarded-For claims, when no proxy is trusted", () => {
    for (const claimed of ["203.0.113.7", "1.1.1.1, 2.2.2.2", ["9.9.9.9", "8.8.8.8"], undefined]) {
      expect(clientAddress(claimed, "198.51.100.4", 0)).toBe("198.51.100.4");
    }
  });

  it("is what the trusted proxies report, counted from the right, behind TRUST_PROXY_HOPS of them", () => {
    // The client made up "6.6.6.6"; the one trusted proxy appended the address it saw.
    expect(clientAddress("6.6.6.6, 203.0.113.7", "10.0.0.2", 1)).toBe("203.0.113.7");
    expect(clientAddress("6.6.6.6, 203.0.113.7, 10.0.0.9", "10.0.0.2", 2)).toBe("203.0.113.7");
    // Fewer entries than hops: the leftmost.
    expect(clientAddress(undefined, "10.0.0.2", 1)).toBe("10.0.0.2");
    expect(clientAddress("203.0.113.7", "10.0.0.2", 3)).toBe("203.0.113.7");
  });
});

describe.each(testDatabases())("claiming sign-in attempts on $name", ({ open }) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("lets through only the free attempts of 30 wrong passwords sent at once", async () => {
    const keys = { account: "parallel@acme.test", address: "192.0.2.30" };
    const t0 = new Date("2026-02-01T00:00:00Z");
    const waits = await Promise.all(Array.from({ length: 30 }, () => claimAttempt(handle.db, keys, t0)));
    expect(waits.filter((w) => w === 0)).toHaveLength(ACCOUNT_FREE_FAILURES);
    expect(waits.filter((w) => w > 0)).toHaveLength(30 - ACCOUNT_FREE_FAILURES);
  });

  it("keeps counting an address that sprays accounts; a good password takes back only its own attempt", async () => {
    const t0 = new Date("2026-02-02T00:00:00Z");
    const address = "192.0.2.40";
    for (let i = 0; i < ADDRESS_FREE_FAILURES - 1; i++) expect(await claimAttempt(handle.db, { account: `spray${i}@acme.test`, address }, t0)).toBe(0);
    // A real user behind the same address signs in: allowed, and not counted against it.
    const good = { account: "good@acme.test", address };
    expect(await claimAttempt(handle.db, good, t0)).toBe(0);
    await recordSuccess(handle.db, good);
    expect(await claimAttempt(handle.db, { account: "spray-last@acme.test", address }, t0)).toBe(0);
    expect(await claimAttempt(handle.db, { account: "fresh@acme.test", address }, t0)).toBeGreaterThan(0);
  });
});
