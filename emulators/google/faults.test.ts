import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, getStats, injectFault, resetStats, setConfig } from "../shared/admin-client";
import { googleErrorBody, newGoogleAccount, rejection, statusOf } from "../test-helpers";
import { startGoogleEmulator, type GoogleEmulator } from "./server";

let emu: GoogleEmulator;
beforeAll(async () => {
  emu = await startGoogleEmulator();
});
afterAll(async () => {
  await emu.close();
});

describe("throttling and server errors", () => {
  it("answers 429 RESOURCE_EXHAUSTED without Retry-After, which the client does not retry for POST", async () => {
    const { people, email } = await newGoogleAccount(emu.url);
    await injectFault(emu.url, { kind: "rate_limit", count: 1, email });
    const error = await rejection(people.people.createContact({ requestBody: { names: [{ givenName: "X" }] } }));
    expect(statusOf(error)).toBe(429);
    const body = googleErrorBody(error);
    expect(body.status).toBe("RESOURCE_EXHAUSTED");
    expect(body.details?.[0]?.reason).toBe("RATE_LIMIT_EXCEEDED");
    expect((error as { response?: { headers?: Headers } }).response?.headers?.get("retry-after")).toBeNull();
    await people.people.createContact({ requestBody: { names: [{ givenName: "X" }] } });
    expect((await getStats(emu.url, email)).byEndpoint["people.createContact"]).toBe(2);
  });

  it("is retried transparently by the client for GET, and the retries show in the stats", async () => {
    const { people, email } = await newGoogleAccount(emu.url);
    await injectFault(emu.url, { kind: "server_error", count: 1, email, status: 503 });
    const res = await people.people.connections.list({ resourceName: "people/me", personFields: "names" });
    expect(res.status).toBe(200);
    const stats = await getStats(emu.url, email);
    expect(stats.byEndpoint["people.connections.list"]).toBe(2);
    expect(stats.byStatus["503"]).toBe(1);
  });

  it("only fails the targeted account's requests", async () => {
    const a = await newGoogleAccount(emu.url);
    const b = await newGoogleAccount(emu.url);
    await injectFault(emu.url, { kind: "server_error", count: 1, email: a.email });
    await b.people.people.createContact({ requestBody: { names: [{ givenName: "B" }] } });
    const error = await rejection(a.people.people.createContact({ requestBody: { names: [{ givenName: "A" }] } }));
    expect(statusOf(error)).toBe(500);
    expect(googleErrorBody(error).status).toBe("INTERNAL");
    await clearFaults(emu.url);
  });

  it("enforces configured per-minute quotas on the emulator clock", async () => {
    const { people, email } = await newGoogleAccount(emu.url);
    await setConfig(emu.url, { quotas: { criticalWritesPerMinute: 2 } });
    try {
      await people.people.createContact({ requestBody: { names: [{ givenName: "1" }] } });
      await people.people.createContact({ requestBody: { names: [{ givenName: "2" }] } });
      const error = await rejection(people.people.createContact({ requestBody: { names: [{ givenName: "3" }] } }));
      expect(statusOf(error)).toBe(429);
      await resetStats(emu.url, email);
      expect((await getStats(emu.url, email)).total).toBe(0);
    } finally {
      await setConfig(emu.url, { quotas: { criticalWritesPerMinute: null } });
    }
  });

  it("rejects overlapping mutations for one user when configured, as the API asks for sequential writes", async () => {
    const { people } = await newGoogleAccount(emu.url);
    await setConfig(emu.url, { latencyMs: 50, rejectConcurrentMutations: true });
    try {
      const results = await Promise.allSettled([people.people.createContact({ requestBody: { names: [{ givenName: "1" }] } }), people.people.createContact({ requestBody: { names: [{ givenName: "2" }] } })]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      const rejected = results.find((r) => r.status === "rejected");
      expect(statusOf(rejected?.status === "rejected" ? rejected.reason : null)).toBe(409);
    } finally {
      await setConfig(emu.url, { latencyMs: 0, rejectConcurrentMutations: false });
    }
  });
});
