// Live sync, Outlook → Tandem: Graph change notifications against the Microsoft emulator, which
// validates the notification URL, notifies on every change, expires subscriptions on its clock
// and sends lifecycle events. Our receiving code (lib/sync/live/receive.ts) is served from a
// plain HTTP server here (the Next routes are thin wrappers around it; Playwright goes through
// them). The real engine and scheduler; PGlite, and a Postgres server when TEST_DATABASE_URL is set.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { hashClientState } from "@/db/queries/sync/subscriptions";
import { getViewer } from "@/db/queries/users";
import { persons, syncConnections, syncRuns, syncSubscriptions, users } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { advanceClock, fireLifecycleEvent, listSubscriptions, setConfig } from "@/emulators/shared/admin-client";
import { setPaused } from "@/lib/sync/accounts/manage";
import { runWorker } from "@/lib/sync/jobs/scheduler";
import { answerChangeNotifications, answerLifecycleNotifications, readNotificationBody } from "@/lib/sync/live/receive";
import { adapterFor, connectBook, emulatorOAuthConfig, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";
import { until } from "@/tests/kit/until";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(testDatabases())("Graph change notifications on $name", ({ open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let receiver: http.Server;
  let receiverUrl: string;
  let n = 0;
  /** The app's clock for renewals, moved with the emulator's. */
  let offsetMs = 0;
  const workers: AbortController[] = [];

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("microsoft"), openSeeded(open)]);
    // (Tokens that outlive the days the clock is moved on.)
    await setConfig(emu.url, { accessTokenLifetimeSec: 30 * 24 * 3_600 });
    receiver = http.createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const request = new Request(url, { method: "POST", headers: req.headers as Record<string, string>, body: Readable.toWeb(req) as ReadableStream, duplex: "half" } as RequestInit);
        const body = url.searchParams.has("validationToken") ? "" : await readNotificationBody(request);
        const answer = url.pathname.endsWith("/lifecycle") ? answerLifecycleNotifications : answerChangeNotifications;
        // (A body left unread: the connection cannot carry another request.)
        const result = body === null ? { status: 413, body: "", headers: { connection: "close" } } : await answer(handle.db, url, body);
        res.writeHead(result.status, result.headers).end(result.body);
      })().catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const w of workers.splice(0)) w.abort();
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await Promise.all([emu?.close(), handle?.close()]);
  });

  const target = () => ({ notificationUrl: `${receiverUrl}/api/sync/notifications`, lifecycleUrl: `${receiverUrl}/api/sync/notifications/lifecycle` });

  /** A worker that never polls on its own: what runs, runs because something asked. */
  function startWorker() {
    const controller = new AbortController();
    workers.push(controller);
    void runWorker({
      db: handle.db,
      intervalMs: HOUR,
      pollMs: HOUR,
      signal: controller.signal,
      adapterFor: (conn) => adapterFor(handle.db, conn, emu.url, { retry: FAST_RETRY }),
      notificationTarget: target,
      now: () => Date.now() + offsetMs,
    });
  }

  const runsOf = (id: string) => handle.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id)).orderBy(asc(syncRuns.startedAt));
  const connection = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;
  const subscriptionOf = async (id: string) => (await handle.db.select().from(syncSubscriptions).where(eq(syncSubscriptions.connectionId, id)))[0];
  const idle = async (id: string) => {
    const c = await connection(id);
    return !c.runRequestedAt && !c.leaseOwner;
  };
  const post = (path: string, body: unknown) =>
    fetch(`${receiverUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

  /** A folder of 2 contacts, connected two-way, synced once and subscribed. */
  async function subscribed() {
    const email = `graph${++n}-${Date.now()}@example.com`;
    const family = `Graph${n}x${Date.now()}`;
    const book = await emu.addressBook(email, "Clients");
    for (let i = 0; i < 2; i++) await book.add({ given: `Person${i}`, family, email: `p${i}.${email}` });
    const id = await connectBook(handle.db, demo, book);
    await handle.db.update(syncConnections).set({ nextRunAt: new Date(Date.now() + HOUR), runRequestedAt: new Date() }).where(eq(syncConnections.id, id));
    startWorker();
    await until(async () => (await subscriptionOf(id)) && (await idle(id)), { timeoutMs: 30_000, what: "the first run and its subscription" });
    return { id, book, email, family, subscription: (await subscriptionOf(id))! };
  }

  it("the first successful run subscribes the connection's folder; only the client state's hash is kept", async () => {
    const { id, email, subscription, book } = await subscribed();
    const [atGraph, ...more] = (await listSubscriptions(emu.url, email)).subscriptions;
    expect(more).toEqual([]);
    expect(atGraph).toMatchObject({ id: subscription.subscriptionId, notificationUrl: target().notificationUrl, lifecycleNotificationUrl: target().lifecycleUrl });
    expect(atGraph!.resource).toContain(book.groupId);
    expect(atGraph!.changeType.split(",").sort()).toEqual(["created", "deleted", "updated"]);
    expect(subscription.clientStateHash).toBe(hashClientState(atGraph!.clientState!));
    expect(subscription.clientStateHash).not.toContain(atGraph!.clientState!);
    // What Graph was told is what we keep (not what we asked).
    expect(subscription.expiresAt.toISOString()).toBe(new Date(atGraph!.expirationDateTime).toISOString());
    expect((await runsOf(id)).map((r) => r.trigger)).toEqual(["initial"]);
  });

  it("answers Graph's validation request with the token, as text", async () => {
    const res = await post("/api/sync/notifications?validationToken=Validation%3A%20Testing%20client%20application%20reachability", "");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("Validation: Testing client application reachability");
  });

  it("a contact changed in Outlook starts one delta run without Refresh, and reaches the CRM", async () => {
    const { id, book, family } = await subscribed();
    // Its user is active: Outlook notifies, so the connection is never claimed for checks.
    await handle.db.update(users).set({ lastSeenAt: new Date() }).where(eq(users.id, demo.users.east));
    const before = (await runsOf(id)).length;
    const [contactId] = [...(await book.list()).keys()];
    await book.update(contactId!, { given: "FromOutlook", family });
    await until(async () => (await handle.db.select().from(persons).where(eq(persons.firstName, "FromOutlook"))).some((p) => p.lastName === family), {
      timeoutMs: 30_000,
      what: "the change to reach the CRM",
    });
    await until(() => idle(id), { timeoutMs: 30_000 });
    const after = (await runsOf(id)).slice(before);
    expect(after.map((r) => [r.trigger, r.outcome, r.fullSync])).toEqual([["notification", "succeeded", false]]);
    expect((await connection(id)).nextCheckAt).toBeNull();
  });

  it("refuses a notification with a wrong client state, or for a subscription we do not hold, and starts nothing", async () => {
    const { id, subscription } = await subscribed();
    const notification = (over: object) => ({ value: [{ subscriptionId: subscription.subscriptionId, changeType: "updated", resource: "Users/x/Contacts/y", ...over }] });
    expect((await post("/api/sync/notifications", notification({ clientState: "not-the-secret" }))).status).toBe(403);
    expect((await post("/api/sync/notifications", notification({ clientState: null }))).status).toBe(403);
    expect((await post("/api/sync/notifications", notification({ subscriptionId: "00000000-0000-0000-0000-000000000000", clientState: "x" }))).status).toBe(403);
    expect((await post("/api/sync/notifications/lifecycle", { value: [{ subscriptionId: subscription.subscriptionId, clientState: "wrong", lifecycleEvent: "subscriptionRemoved" }] })).status).toBe(403);
    expect((await post("/api/sync/notifications", "{not json")).status).toBe(400);
    expect((await post("/api/sync/notifications", "x".repeat(1_100_000))).status).toBe(413);
    expect((await connection(id)).runRequestedAt).toBeNull();
    expect(await subscriptionOf(id)).toBeDefined();
  });

  it("renews the subscription before it lapses: after Graph's clock passes the first expiry, changes still arrive", async () => {
    const { id, book, family, email, subscription } = await subscribed();
    // Five days on, on both clocks: less than three days are left.
    offsetMs += 5 * DAY;
    await advanceClock(emu.url, 5 * DAY);
    await handle.db.update(syncConnections).set({ runRequestedAt: new Date() }).where(eq(syncConnections.id, id));
    const { wakeWorkers } = await import("@/lib/wakeups");
    wakeWorkers();
    await until(async () => (await subscriptionOf(id))!.renewedAt, { timeoutMs: 30_000, what: "the renewal" });
    const renewed = (await subscriptionOf(id))!;
    expect(renewed.subscriptionId).toBe(subscription.subscriptionId);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(subscription.expiresAt.getTime() + 4 * DAY);
    // Past the first expiry: the subscription lives on, and a change still starts a run.
    offsetMs += 3 * DAY;
    await advanceClock(emu.url, 3 * DAY);
    expect((await listSubscriptions(emu.url, email)).subscriptions.map((s) => s.id)).toEqual([subscription.subscriptionId]);
    const before = (await runsOf(id)).length;
    const [contactId] = [...(await book.list()).keys()];
    await book.update(contactId!, { given: "AfterRenewal", family });
    await until(async () => (await runsOf(id)).slice(before).some((r) => r.trigger === "notification" && r.finishedAt), { timeoutMs: 30_000, what: "a notified run" });
  });

  it("lifecycle: reauthorization renews, a removed subscription is made again, a missed one brings a run", async () => {
    const { id, email, subscription } = await subscribed();

    await fireLifecycleEvent(emu.url, subscription.subscriptionId, "reauthorizationRequired");
    await until(async () => (await subscriptionOf(id))?.renewedAt, { timeoutMs: 30_000, what: "the renewal that answers reauthorization" });
    await until(async () => (await listSubscriptions(emu.url, email)).subscriptions.every((s) => !s.reauthorizationPending), { timeoutMs: 10_000 });

    await fireLifecycleEvent(emu.url, subscription.subscriptionId, "subscriptionRemoved");
    const again = await until(
      async () => {
        const sub = await subscriptionOf(id);
        return sub && sub.subscriptionId !== subscription.subscriptionId ? sub : null;
      },
      { timeoutMs: 30_000, what: "a new subscription" },
    );
    expect((await listSubscriptions(emu.url, email)).subscriptions.map((s) => s.id)).toEqual([again.subscriptionId]);

    await until(() => idle(id), { timeoutMs: 30_000 });
    const before = (await runsOf(id)).length;
    await fireLifecycleEvent(emu.url, again.subscriptionId, "missed");
    await until(async () => (await runsOf(id)).slice(before).some((r) => r.trigger === "notification" && r.outcome === "succeeded"), { timeoutMs: 30_000, what: "the run a missed notification asks for" });
    expect((await runsOf(id)).map((r) => r.trigger)).not.toContain("manual");
  });

  it("a connection set to sync only on Refresh drops its subscription at its next run, and a notification for it starts nothing", async () => {
    const { id, email, subscription } = await subscribed();
    await handle.db.update(syncConnections).set({ syncIntervalMinutes: 0 }).where(eq(syncConnections.id, id));
    // A notification that still comes (sent before the subscription went) starts nothing.
    const clientState = (await listSubscriptions(emu.url, email)).subscriptions[0]!.clientState!;
    const res = await post("/api/sync/notifications", { value: [{ subscriptionId: subscription.subscriptionId, clientState, changeType: "updated" }] });
    expect(res.status).toBe(202);
    expect((await connection(id)).runRequestedAt).toBeNull();
    // Refresh: the run ends without a subscription, at Graph and here.
    await handle.db.update(syncConnections).set({ runRequestedAt: new Date() }).where(eq(syncConnections.id, id));
    const { wakeWorkers } = await import("@/lib/wakeups");
    wakeWorkers();
    await until(async () => !(await subscriptionOf(id)), { timeoutMs: 30_000, what: "the subscription to go" });
    expect((await listSubscriptions(emu.url, email)).subscriptions).toEqual([]);
  });

  it("a paused connection's subscription is removed at Graph and here", async () => {
    const { id, email } = await subscribed();
    const east = (await getViewer(handle.db, demo.users.east))!;
    await setPaused(handle.db, east, id, true, { apiBaseUrl: `${emu.url}/`, oauthConfig: emulatorOAuthConfig("microsoft", emu.url) });
    expect(await subscriptionOf(id)).toBeUndefined();
    expect((await listSubscriptions(emu.url, email)).subscriptions).toEqual([]);
  });
});
