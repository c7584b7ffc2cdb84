import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphError } from "@microsoft/microsoft-graph-client";
import { graphClient } from "../clients";
import {
  advanceClock,
  fireLifecycleEvent,
  getNotificationDeliveries,
  listSubscriptions,
  mintToken,
  resetEmulator,
  revokeAccount,
  setConfig,
  type NotificationDelivery,
} from "../shared/admin-client";
import { newGraphAccount, rejection, type GraphTestAccount } from "../test-helpers";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "./server";
import { MSA_TENANT_ID } from "./state";

/** How a receiver path answers: validation requests, then notifications. */
type Mode = "ok" | "wrong-token" | "silent-validation" | "failing" | "silent-notifications";

interface Received {
  path: string;
  rawUrl: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

interface ChangeNotification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  changeType: string;
  resource: string;
  resourceData: Record<string, string>;
  clientState: string | null;
  tenantId: string;
}

interface LifecycleNotification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  tenantId: string;
  clientState: string | null;
  lifecycleEvent: string;
}

/** A stand-in for the app's webhook endpoints: plain http on 127.0.0.1, each path with its own behaviour. */
class Receiver {
  readonly received: Received[] = [];
  private readonly modes = new Map<string, Mode>();
  private readonly held: ServerResponse[] = [];
  private server: Server | null = null;
  private base = "";
  private counter = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A fresh endpoint URL answering in the given mode. */
  endpoint(mode: Mode = "ok"): string {
    const path = `/hook/${++this.counter}`;
    this.modes.set(path, mode);
    return `${this.base}${path}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.base);
    this.received.push({ path: url.pathname, rawUrl: req.url ?? "", query: url.searchParams, contentType: req.headers["content-type"] ?? "", body: Buffer.concat(chunks).toString("utf8") });
    const mode = this.modes.get(url.pathname) ?? "ok";
    const token = url.searchParams.get("validationToken");
    if (token !== null) {
      if (mode === "silent-validation") return void this.held.push(res);
      res.writeHead(200, { "content-type": "text/plain" }).end(mode === "wrong-token" ? `${token}x` : token);
      return;
    }
    if (mode === "silent-notifications") return void this.held.push(res);
    res.writeHead(mode === "failing" ? 500 : 202).end();
  }

  private at(url: string): Received[] {
    const path = new URL(url).pathname;
    return this.received.filter((r) => r.path === path);
  }

  validations(url: string): Received[] {
    return this.at(url).filter((r) => r.query.has("validationToken"));
  }

  /** Every item of every collection POSTed to the URL, in arrival order. */
  items<T>(url: string): T[] {
    return this.at(url)
      .filter((r) => !r.query.has("validationToken"))
      .flatMap((r) => (JSON.parse(r.body) as { value: T[] }).value);
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** Polls until `read` returns something truthy; a generous deadline for busy machines, no fixed sleeps. */
async function until<T>(read: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const BATCH_DELAY_MS = 40;
/** Long enough for any stray notification to have been sent (a few batch windows), short enough not to slow the suite. */
const SETTLE_MS = 300;

let emu: MicrosoftEmulator;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  emu = await startMicrosoftEmulator({
    config: { subscriptions: { validationTimeoutMs: 400, deliveryTimeoutMs: 400, batchDelayMs: BATCH_DELAY_MS, retryDelaysMs: [30, 30] } },
  });
});
afterAll(async () => {
  await emu.close();
  await receiver.close();
});

const graphError = (e: unknown): GraphError => e as GraphError;
/** A time this many minutes ahead on the emulator clock (which a test below moves forward). */
const inMinutes = (minutes: number): string => new Date(emu.state.clock.now() + minutes * 60_000).toISOString();

interface Subscription {
  id: string;
  resource: string;
  applicationId: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  creatorId: string;
  latestSupportedTlsVersion: string;
  [key: string]: unknown;
}

async function subscribe(account: GraphTestAccount, body: Record<string, unknown> = {}): Promise<Subscription> {
  return (await account.client.api("/subscriptions").post({
    changeType: "created,updated,deleted",
    notificationUrl: receiver.endpoint(),
    resource: "me/contacts",
    expirationDateTime: inMinutes(60 * 24),
    clientState: `state-${Math.random()}`,
    ...body,
  })) as Subscription;
}

describe("creating a subscription", () => {
  it("validates both endpoints as documented and answers 201 with the subscription", async () => {
    const account = await newGraphAccount(emu);
    const notificationUrl = receiver.endpoint();
    const lifecycleNotificationUrl = receiver.endpoint();
    const expirationDateTime = inMinutes(60 * 24 * 3);
    const me = await account.client.api("/me").get();
    const sub = await subscribe(account, { changeType: "created,updated", notificationUrl, lifecycleNotificationUrl, expirationDateTime, clientState: "secretClientValue", resource: "/me/contacts" });

    expect(sub.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(sub).toMatchObject({
      "@odata.context": `${emu.url}/v1.0/$metadata#subscriptions/$entity`,
      resource: "/me/contacts",
      applicationId: "00000000-0000-0000-0000-00000000e2e0",
      changeType: "created,updated",
      clientState: "secretClientValue",
      notificationUrl,
      lifecycleNotificationUrl,
      creatorId: me.id,
      latestSupportedTlsVersion: "v1_2",
      includeResourceData: null,
    });
    expect(new Date(sub.expirationDateTime).getTime()).toBe(new Date(expirationDateTime).getTime());

    for (const url of [notificationUrl, lifecycleNotificationUrl]) {
      const [validation, ...more] = receiver.validations(url);
      expect(more).toEqual([]);
      expect(validation?.contentType).toMatch(/^text\/plain/);
      // URL-encoded in the request, plain text once decoded.
      expect(validation?.rawUrl).toMatch(/\?validationToken=Validation%3A%20Testing%20/);
      expect(validation?.query.get("validationToken")).toMatch(/^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/);
    }

    const listed = await account.client.api("/subscriptions").get();
    expect(listed.value.map((s: Subscription) => s.id)).toEqual([sub.id]);
    const got: Subscription = await account.client.api(`/subscriptions/${sub.id}`).get();
    expect(got.notificationUrl).toBe(notificationUrl);
    expect((await listSubscriptions(emu.url, account.email)).subscriptions).toEqual([
      expect.objectContaining({ id: sub.id, resource: "/me/contacts", notificationUrl, clientState: "secretClientValue", expirationDateTime: sub.expirationDateTime, reauthorizationPending: false }),
    ]);
  });

  it("accepts the users/{id|upn} and contactFolders forms, and works through $batch", async () => {
    const account = await newGraphAccount(emu);
    const me = await account.client.api("/me").get();
    const folder = await account.client.api("/me/contactFolders").post({ displayName: "Clients" });
    await subscribe(account, { resource: `users/${me.id}/contacts` });
    await subscribe(account, { resource: `Users/${account.email}/contactFolders('${folder.id}')/contacts` });
    await subscribe(account, { resource: "me/contactFolders/contacts/contacts" });
    const batch = await account.client.api("/$batch").post({
      requests: [{ id: "1", method: "POST", url: "/subscriptions", headers: { "Content-Type": "application/json" }, body: { changeType: "created", notificationUrl: receiver.endpoint(), resource: "me/contacts", expirationDateTime: inMinutes(120) } }],
    });
    expect(batch.responses[0].status).toBe(201);
    expect((await listSubscriptions(emu.url, account.email)).subscriptions).toHaveLength(4);
  });

  it("refuses a receiver that echoes the wrong token, answers too late or not at all, on either URL", async () => {
    const account = await newGraphAccount(emu);
    const wrong = graphError(await rejection(subscribe(account, { notificationUrl: receiver.endpoint("wrong-token") })));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.code).toBe("InvalidRequest");
    expect(wrong.message).toBe("Subscription validation request failed. Response must exactly match validationToken query parameter.");

    const late = graphError(await rejection(subscribe(account, { notificationUrl: receiver.endpoint("silent-validation") })));
    expect(late.statusCode).toBe(400);
    expect(late.message).toBe("Subscription validation request timed out.");

    const lifecycle = graphError(await rejection(subscribe(account, { lifecycleNotificationUrl: receiver.endpoint("wrong-token") })));
    expect(lifecycle.statusCode).toBe(400);
    expect(lifecycle.message).toMatch(/^Subscription validation request failed\./);

    const closed = graphError(await rejection(subscribe(account, { notificationUrl: "http://127.0.0.1:9/hook" })));
    expect(closed.message).toBe("Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.");

    expect((await listSubscriptions(emu.url, account.email)).subscriptions).toEqual([]);
    const log = (await getNotificationDeliveries(emu.url)).deliveries.filter((d) => d.kind === "validation" && d.outcome !== "delivered");
    expect(log.map((d) => d.outcome)).toEqual(expect.arrayContaining(["failed", "timeout", "unreachable"]));
  });

  it("refuses http on a non-loopback host, an expiry in the past or beyond 10,080 minutes, and raises one under 45 minutes", async () => {
    const account = await newGraphAccount(emu);
    const http = graphError(await rejection(subscribe(account, { notificationUrl: "http://webhook.example.com/notify" })));
    expect(http.statusCode).toBe(400);
    expect(http.message).toBe("NotificationUrl scheme='http' is not supported.");
    const httpLifecycle = graphError(await rejection(subscribe(account, { lifecycleNotificationUrl: "http://webhook.example.com/lifecycle" })));
    expect(httpLifecycle.statusCode).toBe(400);

    const past = graphError(await rejection(subscribe(account, { expirationDateTime: inMinutes(-1) })));
    expect(past.statusCode).toBe(400);
    expect(past.code).toBe("ExtensionError");
    const tooLong = graphError(await rejection(subscribe(account, { expirationDateTime: inMinutes(10_081) })));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.code).toBe("ExtensionError");
    expect(tooLong.message).toBe("Subscription expiration can only be 10080 minutes in the future.");

    const longest = await subscribe(account, { expirationDateTime: inMinutes(10_079) });
    expect(longest.id).toBeTruthy();
    const short = await subscribe(account, { expirationDateTime: inMinutes(10) });
    expect(new Date(short.expirationDateTime).getTime() - emu.state.clock.now()).toBeGreaterThan(44 * 60_000);
  });

  it("refuses another mailbox's folder or contacts, a missing folder, and tokens without a Contacts read scope", async () => {
    const account = await newGraphAccount(emu);
    const other = await newGraphAccount(emu);
    const theirFolder = await other.client.api("/me/contactFolders").post({ displayName: "Theirs" });
    const folder = graphError(await rejection(subscribe(account, { resource: `me/contactFolders/${theirFolder.id}/contacts` })));
    expect(folder.statusCode).toBe(404);
    const mailbox = graphError(await rejection(subscribe(account, { resource: `users/${other.email}/contacts` })));
    expect(mailbox.statusCode).toBe(403);
    const unsupported = graphError(await rejection(subscribe(account, { resource: "me/events" })));
    expect(unsupported.statusCode).toBe(400);

    for (const scopes of [["User.Read"], ["User.Read", "Contacts.Read.Shared"]]) {
      const token = await mintToken(emu.url, account.email, scopes);
      const client = graphClient(emu, () => token.access_token);
      const denied = graphError(await rejection(subscribe({ ...account, client })));
      expect(denied.statusCode).toBe(403);
    }
    const readOnly = await mintToken(emu.url, account.email, ["Contacts.Read"]);
    const sub = await subscribe({ ...account, client: graphClient(emu, () => readOnly.access_token) });
    expect(sub.id).toBeTruthy();
  });

  it("enforces the per-mailbox limit with the documented error", async () => {
    const account = await newGraphAccount(emu);
    expect(emu.state.config.subscriptions.maxPerMailbox).toBe(1000);
    await setConfig(emu.url, { subscriptions: { maxPerMailbox: 2 } });
    // A patch changes only what it names.
    expect(emu.state.config.subscriptions.deliveryTimeoutMs).toBe(400);
    try {
      await subscribe(account);
      await subscribe(account);
      const over = graphError(await rejection(subscribe(account)));
      expect(over.statusCode).toBe(403);
      expect(over.message).toMatch(/Maximum number of subscriptions has been reached/);
    } finally {
      await setConfig(emu.url, { subscriptions: { maxPerMailbox: 1000 } });
    }
  });

  it("shows an app only its own subscriptions", async () => {
    const account = await newGraphAccount(emu);
    const sub = await subscribe(account);
    const token = await mintToken(emu.url, account.email, undefined, "11111111-2222-3333-4444-555555555555");
    const otherApp = graphClient(emu, () => token.access_token);
    expect((await otherApp.api("/subscriptions").get()).value).toEqual([]);
    expect(graphError(await rejection(otherApp.api(`/subscriptions/${sub.id}`).get())).statusCode).toBe(404);
    expect(graphError(await rejection(otherApp.api(`/subscriptions/${sub.id}`).delete())).statusCode).toBe(404);
  });
});

describe("change notifications", () => {
  it("posts one notification per created, updated and deleted contact, with the documented fields", async () => {
    const account = await newGraphAccount(emu);
    const me = await account.client.api("/me").get();
    const notificationUrl = receiver.endpoint();
    const sub = await subscribe(account, { notificationUrl, clientState: "s3cret" });
    const created = await account.client.api("/me/contacts").post({ givenName: "Ann" });
    await until(() => receiver.items(notificationUrl).length === 1, "the created notification");
    const updated = await account.client.api(`/me/contacts/${created.id}`).patch({ surname: "Lee" });
    await until(() => receiver.items(notificationUrl).length === 2, "the updated notification");
    await account.client.api(`/me/contacts/${created.id}`).delete();
    await until(() => receiver.items(notificationUrl).length === 3, "the deleted notification");
    await sleep(SETTLE_MS);

    const items = receiver.items<ChangeNotification>(notificationUrl);
    expect(items.map((n) => n.changeType)).toEqual(["created", "updated", "deleted"]);
    const resource = `Users/${me.id}/Contacts/${created.id}`;
    expect(items[0]).toEqual({
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType: "created",
      resource,
      resourceData: { "@odata.type": "#Microsoft.Graph.Contact", "@odata.id": resource, "@odata.etag": `W/"${created.changeKey}"`, id: created.id },
      clientState: "s3cret",
      tenantId: MSA_TENANT_ID,
    });
    expect(items[1]?.resourceData["@odata.etag"]).toBe(`W/"${updated.changeKey}"`);
    const posts = receiver.received.filter((r) => r.path === new URL(notificationUrl).pathname && !r.query.has("validationToken"));
    expect(posts.every((p) => /^application\/json/.test(p.contentType))).toBe(true);
  });

  it("batches changes made together into one collection, whatever path made them", async () => {
    const account = await newGraphAccount(emu);
    const notificationUrl = receiver.endpoint();
    await subscribe(account, { notificationUrl, changeType: "created" });
    // A window no busy machine can miss, so the three creations surely fall in it.
    await setConfig(emu.url, { subscriptions: { batchDelayMs: 500 } });
    try {
      await account.client.api("/$batch").post({
        requests: [1, 2, 3].map((i) => ({ id: String(i), method: "POST", url: "/me/contacts", headers: { "Content-Type": "application/json" }, body: { givenName: `B${i}` } })),
      });
      await until(() => receiver.items(notificationUrl).length === 3, "three created notifications");
    } finally {
      await setConfig(emu.url, { subscriptions: { batchDelayMs: BATCH_DELAY_MS } });
    }
    const posts = receiver.received.filter((r) => r.path === new URL(notificationUrl).pathname && !r.query.has("validationToken"));
    expect(posts).toHaveLength(1);
    // A write that bypasses Graph entirely (the admin side, seeds) is notified too.
    const mailbox = emu.state.mailbox(account.email);
    mailbox?.createContact(mailbox.defaultFolder.id, { givenName: "Direct" });
    await until(() => receiver.items(notificationUrl).length === 4, "the direct write's notification");
  });

  it("sends only the subscribed change types, and only for the subscribed folder (me/contacts: every folder)", async () => {
    const account = await newGraphAccount(emu);
    const folder = await account.client.api("/me/contactFolders").post({ displayName: "Clients" });
    const folderCreates = receiver.endpoint();
    const everyUpdate = receiver.endpoint();
    await subscribe(account, { notificationUrl: folderCreates, changeType: "created", resource: `me/contactFolders/${folder.id}/contacts` });
    await subscribe(account, { notificationUrl: everyUpdate, changeType: "updated,deleted", resource: "me/contacts" });

    const inFolder = await account.client.api(`/me/contactFolders/${folder.id}/contacts`).post({ givenName: "In" });
    const inDefault = await account.client.api("/me/contacts").post({ givenName: "Out" });
    await account.client.api(`/me/contacts/${inFolder.id}`).patch({ surname: "Folder" });
    await account.client.api(`/me/contacts/${inDefault.id}`).delete();
    await until(() => receiver.items(folderCreates).length === 1 && receiver.items(everyUpdate).length === 2, "the filtered notifications");
    await sleep(SETTLE_MS);

    expect(receiver.items<ChangeNotification>(folderCreates).map((n) => [n.changeType, n.resourceData["id"]])).toEqual([["created", inFolder.id]]);
    // Two collections may arrive in either order.
    const updates = receiver.items<ChangeNotification>(everyUpdate).map((n) => [n.changeType, n.resourceData["id"]]);
    expect(updates.sort()).toEqual([
      ["deleted", inDefault.id],
      ["updated", inFolder.id],
    ]);
  });

  it("moves the expiry on PATCH, and after the clock passes it sends nothing and answers 404", async () => {
    const account = await newGraphAccount(emu);
    const notificationUrl = receiver.endpoint();
    const sub = await subscribe(account, { notificationUrl, expirationDateTime: inMinutes(60) });
    const later = inMinutes(60 * 24 * 5);
    const renewed: Subscription = await account.client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: later });
    expect(new Date(renewed.expirationDateTime).getTime()).toBe(new Date(later).getTime());
    expect((await account.client.api(`/subscriptions/${sub.id}`).get()).expirationDateTime).toBe(renewed.expirationDateTime);
    expect(graphError(await rejection(account.client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(10_081) }))).statusCode).toBe(400);
    expect(graphError(await rejection(account.client.api(`/subscriptions/${sub.id}`).patch({}))).statusCode).toBe(400);

    // Past the renewed expiry (tokens expire too: use a fresh one).
    await advanceClock(emu.url, 6 * 24 * 60 * 60_000);
    const token = await mintToken(emu.url, account.email);
    const client = graphClient(emu, () => token.access_token);
    for (const call of [client.api(`/subscriptions/${sub.id}`).get(), client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(6 * 24 * 60 + 60) }), client.api(`/subscriptions/${sub.id}`).delete()]) {
      expect(graphError(await rejection(call)).statusCode).toBe(404);
    }
    expect((await client.api("/subscriptions").get()).value).toEqual([]);
    await client.api("/me/contacts").post({ givenName: "Unheard" });
    await sleep(SETTLE_MS);
    expect(receiver.items(notificationUrl)).toEqual([]);
  });

  it("stops notifications once the subscription is deleted", async () => {
    const account = await newGraphAccount(emu);
    const notificationUrl = receiver.endpoint();
    const sub = await subscribe(account, { notificationUrl });
    await account.client.api(`/subscriptions/${sub.id}`).delete();
    expect((await account.client.api("/subscriptions").get()).value).toEqual([]);
    await account.client.api("/me/contacts").post({ givenName: "Unheard" });
    await sleep(SETTLE_MS);
    expect(receiver.items(notificationUrl)).toEqual([]);
    expect((await getNotificationDeliveries(emu.url, sub.id)).deliveries.map((d) => d.kind)).toEqual(["validation"]);
  });

  it("logs a failing receiver's attempts, retries, drops the batch and sends missed to the lifecycle URL", async () => {
    const account = await newGraphAccount(emu);
    const lifecycleUrl = receiver.endpoint();
    const failing = await subscribe(account, { notificationUrl: receiver.endpoint("failing"), lifecycleNotificationUrl: lifecycleUrl });
    const silent = await subscribe(account, { notificationUrl: receiver.endpoint("silent-notifications") });
    await account.client.api("/me/contacts").post({ givenName: "Lost" });

    const attempts = (id: string): Promise<NotificationDelivery[]> => getNotificationDeliveries(emu.url, id).then((r) => r.deliveries.filter((d) => d.kind === "notification"));
    const failed = await until(async () => {
      const log = await attempts(failing.id);
      return log.some((d) => d.dropped) && log;
    }, "the failing receiver's dropped batch");
    expect(failed.map((d) => [d.attempt, d.outcome, d.status, d.notifications, d.dropped])).toEqual([
      [1, "failed", 500, 1, false],
      [2, "failed", 500, 1, false],
      [3, "failed", 500, 1, true],
    ]);
    const missed = await until(() => receiver.items<LifecycleNotification>(lifecycleUrl)[0], "the missed lifecycle notification");
    expect(missed).toEqual({ subscriptionId: failing.id, subscriptionExpirationDateTime: failing.expirationDateTime, tenantId: MSA_TENANT_ID, clientState: failing.clientState, lifecycleEvent: "missed" });

    const timedOut = await until(async () => {
      const log = await attempts(silent.id);
      return log.some((d) => d.dropped) && log;
    }, "the silent receiver's dropped batch");
    expect(timedOut.map((d) => d.outcome)).toEqual(["timeout", "timeout", "timeout"]);
  });
});

describe("lifecycle notifications", () => {
  it("delivers each event to the lifecycle URL in the documented shape; reauthorize answers the challenge", async () => {
    const account = await newGraphAccount(emu);
    const lifecycleUrl = receiver.endpoint();
    const sub = await subscribe(account, { lifecycleNotificationUrl: lifecycleUrl, clientState: "cs" });
    const shape = (event: string): LifecycleNotification => ({ subscriptionId: sub.id, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: MSA_TENANT_ID, clientState: "cs", lifecycleEvent: event });

    expect(await fireLifecycleEvent(emu.url, sub.id, "reauthorizationRequired")).toMatchObject({ sent: true });
    await until(() => receiver.items(lifecycleUrl).length === 1, "reauthorizationRequired");
    expect((await listSubscriptions(emu.url, account.email)).subscriptions[0]?.reauthorizationPending).toBe(true);
    const reauthorized = await account.client.api(`/subscriptions/${sub.id}/reauthorize`).responseType("raw" as never).post({});
    expect((reauthorized as Response).status).toBe(204);
    expect((await listSubscriptions(emu.url, account.email)).subscriptions[0]?.reauthorizationPending).toBe(false);

    await fireLifecycleEvent(emu.url, sub.id, "missed");
    await until(() => receiver.items(lifecycleUrl).length === 2, "missed");
    await fireLifecycleEvent(emu.url, sub.id, "subscriptionRemoved");
    await until(() => receiver.items(lifecycleUrl).length === 3, "subscriptionRemoved");
    expect(receiver.items(lifecycleUrl)).toEqual([shape("reauthorizationRequired"), shape("missed"), shape("subscriptionRemoved")]);
    expect(graphError(await rejection(account.client.api(`/subscriptions/${sub.id}`).get())).statusCode).toBe(404);
    expect((await listSubscriptions(emu.url, account.email)).subscriptions).toEqual([]);
  });

  it("sends nothing without a lifecycle URL, and subscriptionRemoved to every subscription of a revoked account", async () => {
    const account = await newGraphAccount(emu);
    const plain = await subscribe(account);
    expect(await fireLifecycleEvent(emu.url, plain.id, "missed")).toMatchObject({ sent: false });
    const lifecycleUrl = receiver.endpoint();
    const withLifecycle = await subscribe(account, { lifecycleNotificationUrl: lifecycleUrl });
    await revokeAccount(emu.url, account.email);
    const removed = await until(() => receiver.items<LifecycleNotification>(lifecycleUrl)[0], "subscriptionRemoved after revocation");
    expect(removed).toMatchObject({ subscriptionId: withLifecycle.id, lifecycleEvent: "subscriptionRemoved" });
    expect((await listSubscriptions(emu.url, account.email)).subscriptions).toEqual([]);
  });
});

describe("reset", () => {
  it("forgets subscriptions, queued notifications and the delivery log", async () => {
    const account = await newGraphAccount(emu);
    const notificationUrl = receiver.endpoint();
    await subscribe(account, { notificationUrl });
    // Reset (which also restores the start config) comes well inside this window.
    await setConfig(emu.url, { subscriptions: { batchDelayMs: 5000 } });
    await account.client.api("/me/contacts").post({ givenName: "Queued" });
    await resetEmulator(emu.url);
    await sleep(SETTLE_MS);
    expect(receiver.items(notificationUrl)).toEqual([]);
    expect((await listSubscriptions(emu.url)).subscriptions).toEqual([]);
    expect((await getNotificationDeliveries(emu.url)).deliveries).toEqual([]);
  });
});
