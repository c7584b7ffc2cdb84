import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchRequestContent, BatchResponseContent, RetryHandlerOptions, type GraphError } from "@microsoft/microsoft-graph-client";
import { getStats, injectFault, setConfig } from "../shared/admin-client";
import { newGraphAccount, rejection } from "../test-helpers";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "./server";

let emu: MicrosoftEmulator;
beforeAll(async () => {
  emu = await startMicrosoftEmulator();
});
afterAll(async () => {
  await emu.close();
});

function createRequest(id: string, givenName: string, dependsOn?: string[]): { id: string; request: Request; dependsOn?: string[] } {
  return {
    id,
    request: new Request(`${emu.url}/me/contacts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ givenName }) }),
    ...(dependsOn ? { dependsOn } : {}),
  };
}

describe("$batch", () => {
  it("runs up to 20 sub-requests and returns one response per id", async () => {
    const { client, email } = await newGraphAccount(emu);
    const batch = new BatchRequestContent(Array.from({ length: 20 }, (_, i) => createRequest(String(i + 1), `B${i}`)));
    const raw = await client.api("/$batch").post(await batch.getContent());
    const responses = new BatchResponseContent(raw).getResponses();
    expect(responses.size).toBe(20);
    const first = responses.get("1");
    expect(first?.status).toBe(201);
    expect((await first?.json())?.givenName).toBe("B0");
    const list = await client.api("/me/contacts").top(100).get();
    expect(list.value).toHaveLength(20);
    const stats = await getStats(emu.url, email);
    expect(stats.byEndpoint["batch"]).toBe(1);
    expect(stats.byEndpoint["contacts.create"]).toBe(20);
  });

  it("rejects more than 20 requests, duplicate ids and bodies without Content-Type with 400", async () => {
    const { client } = await newGraphAccount(emu);
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/me/contacts" }));
    const tooMany = (await rejection(client.api("/$batch").post({ requests }))) as GraphError;
    expect(tooMany.statusCode).toBe(400);
    const dup = (await rejection(client.api("/$batch").post({ requests: [{ id: "1", method: "GET", url: "/me" }, { id: "1", method: "GET", url: "/me" }] }))) as GraphError;
    expect(dup.statusCode).toBe(400);
    const noType = (await rejection(client.api("/$batch").post({ requests: [{ id: "1", method: "POST", url: "/me/contacts", body: { givenName: "X" } }] }))) as GraphError;
    expect(noType.statusCode).toBe(400);
    expect((await client.api("/me/contacts").get()).value).toHaveLength(0);
  });

  it("orders dependsOn chains and fails dependents of a failed request with 424", async () => {
    const { client } = await newGraphAccount(emu);
    const raw = await client.api("/$batch").post({
      requests: [
        { id: "3", method: "GET", url: "/me/contacts", dependsOn: ["2"] },
        { id: "2", method: "POST", url: "/me/contacts", headers: { "Content-Type": "application/json" }, body: { givenName: "Two" }, dependsOn: ["1"] },
        { id: "1", method: "POST", url: "/me/contacts", headers: { "Content-Type": "application/json" }, body: { givenName: "One" } },
        { id: "4", method: "GET", url: "/me/contacts/AAMkADnotthere", dependsOn: [] },
        { id: "5", method: "GET", url: "/me", dependsOn: ["4"] },
      ],
    });
    const byId = new Map((raw.responses as { id: string; status: number; body?: { value?: unknown[] } }[]).map((r) => [r.id, r]));
    expect(byId.get("3")?.body?.value).toHaveLength(2);
    expect(byId.get("4")?.status).toBe(404);
    expect(byId.get("5")?.status).toBe(424);
  });

  it("throttles sub-requests individually with 429 and Retry-After", async () => {
    const { client, email } = await newGraphAccount(emu);
    await injectFault(emu.url, { kind: "rate_limit", count: 2, email, retryAfterSeconds: 7 });
    const raw = await client.api("/$batch").post(await new BatchRequestContent([createRequest("a", "A"), createRequest("b", "B"), createRequest("c", "C")]).getContent());
    const responses = raw.responses as { id: string; status: number; headers: Record<string, string>; body?: { error?: { code?: string } } }[];
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.headers["Retry-After"]).toBe("7");
    expect(throttled[0]?.body?.error?.code).toBe("ApplicationThrottled");
  });

  it("can throttle sub-requests beyond Outlook's 4 concurrent per mailbox", async () => {
    const { client } = await newGraphAccount(emu);
    await setConfig(emu.url, { throttle: { batchConcurrency: 4 } });
    try {
      const raw = await client.api("/$batch").post(await new BatchRequestContent(Array.from({ length: 6 }, (_, i) => createRequest(String(i), `T${i}`))).getContent());
      const statuses = (raw.responses as { status: number }[]).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
      const chained = await client.api("/$batch").post(await new BatchRequestContent(Array.from({ length: 6 }, (_, i) => createRequest(String(i), `U${i}`, i > 0 ? [String(i - 1)] : undefined))).getContent());
      expect((chained.responses as { status: number }[]).every((r) => r.status === 201)).toBe(true);
    } finally {
      await setConfig(emu.url, { throttle: { batchConcurrency: null } });
    }
  });
});

describe("throttling of top-level requests", () => {
  it("answers 429 ApplicationThrottled with Retry-After, which the Graph client honours and retries", async () => {
    const { client, email } = await newGraphAccount(emu);
    await injectFault(emu.url, { kind: "rate_limit", count: 2, email, retryAfterSeconds: 0 });
    const created = await client.api("/me/contacts").post({ givenName: "Eventually" });
    expect(created.givenName).toBe("Eventually");
    const stats = await getStats(emu.url, email);
    expect(stats.byEndpoint["contacts.create"]).toBe(3);
    expect(stats.byStatus["429"]).toBe(2);
  });

  it("surfaces 503 after the client's retries are exhausted", async () => {
    const { client, email } = await newGraphAccount(emu);
    await injectFault(emu.url, { kind: "server_error", count: 4, email, retryAfterSeconds: 0 });
    const error = (await rejection(client.api("/me/contacts").get())) as GraphError;
    expect(error.statusCode).toBe(503);
    expect(error.code).toBe("ServiceUnavailable");
  });

  it("enforces the configured per-mailbox request rate on the emulator clock", async () => {
    const { client } = await newGraphAccount(emu);
    await setConfig(emu.url, { throttle: { requestsPerTenMinutes: 2 } });
    try {
      await client.api("/me/contacts").get();
      await client.api("/me/contacts").get();
      // No retries: Retry-After is the rest of the 10-minute window.
      const error = (await rejection(client.api("/me").middlewareOptions([new RetryHandlerOptions(0, 0)]).get())) as GraphError;
      expect(error.statusCode).toBe(429);
      expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(500);
    } finally {
      await setConfig(emu.url, { throttle: { requestsPerTenMinutes: null } });
    }
  });
});
