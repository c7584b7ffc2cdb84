// A server a user types reaches nothing inside: tried as a hostile server would, with real HTTP
// servers on loopback addresses (127.0.0.1 the typed server, 127.0.0.2 the "internal" target)
// and a real Radicale behind a proxy that turns hostile on demand. The agent here allows
// loopback, as an installation with OUTBOUND_ALLOW=127.0.0.0/8 would, so that what stops each
// request is the rule under test; the address rule itself is tested in
// lib/sync/outbound/outbound.test.ts, and end to end from the environment below.
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createPerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import { signInThrottle, syncConnections, syncFailures } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { radicaleAvailable, startDavServer, type DavServer } from "@/emulators/carddav";
import { UserError } from "@/lib/errors";
import { adapterForConnection, createConnection } from "@/lib/sync/accounts/connections";
import { runSync } from "@/lib/sync/engine/run";
import { startAuthorization } from "@/lib/sync/accounts/oauth-flow";
import { CONNECT_FREE_FAILURES, connectWithPassword } from "@/lib/sync/accounts/password-flow";
import { AllowList } from "@/lib/sync/outbound/address-rule";
import { guardedAgent } from "@/lib/sync/outbound/agent";
import { outboundFetch, RedirectRefusedError, ResponseTooLargeError } from "@/lib/sync/outbound/fetch";
import { openCardDavAddressBook } from "@/lib/sync/providers/carddav/test-kit";
import type { AddressBook } from "@/tests/kit/address-book";
import { openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { forwardTo, pour, startTestHost, type TestHost } from "@/tests/kit/hosts";
import { personInput } from "@/tests/kit/persons";

const loopback = guardedAgent({ allow: AllowList.parse("127.0.0.0/8") });
const viaLoopback = () => loopback;
const REDIRECTS = [301, 302, 303, 307, 308] as const;
const SECRET = "INTERNAL-ANSWER-7f3a";

/** What a proxy turned hostile answers instead of forwarding: true when it answered. */
type Hostile = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => boolean;

describe("redirects and sizes, at the outbound client", () => {
  let target: TestHost;
  let typed: TestHost;
  let status = 301;
  let to = "";
  beforeAll(async () => {
    target = await startTestHost({ name: "127.0.0.2", address: "127.0.0.2", handle: (_req, _body, res) => void res.end(SECRET) });
    typed = await startTestHost({
      name: "127.0.0.1",
      address: "127.0.0.1",
      handle: (req, _body, res) => {
        // A long error page (a server's 401 in HTML, say).
        if (req.url === "/big-error") {
          res.writeHead(401, { "content-type": "text/html", "content-length": String(200 * 1024) });
          return void res.end("x".repeat(200 * 1024));
        }
        // /hop/N redirects within the origin N times; anything else to `to`.
        const hop = /^\/hop\/(\d+)$/.exec(req.url ?? "");
        if (hop) {
          const left = Number(hop[1]);
          res.writeHead(left === 0 ? 200 : status, left === 0 ? {} : { location: `/hop/${left - 1}` });
          return void res.end(left === 0 ? "arrived" : "");
        }
        res.writeHead(status, { location: to });
        res.end();
      },
    });
  });
  afterAll(async () => {
    await Promise.all([target?.close(), typed?.close()]);
  });

  it.each(REDIRECTS)("a %i to another origin is not followed: the other origin is never reached", async (code) => {
    status = code;
    to = `${target.url}/latest/meta-data/iam/security-credentials/`;
    const send = outboundFetch(loopback, { maxBytes: 1 << 20, timeoutMs: 10_000 });
    for (const method of ["GET", "PROPFIND", "POST"]) {
      const error = await send(`${typed.url}/.well-known/carddav`, { method, body: method === "GET" ? undefined : "<x/>" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedirectRefusedError);
    }
    expect(target.hits).toEqual([]);
  });

  it("follows redirects within the origin, at most 5 of them", async () => {
    status = 307;
    const send = outboundFetch(loopback, { maxBytes: 1 << 20, timeoutMs: 10_000 });
    expect(await (await send(`${typed.url}/hop/5`)).text()).toBe("arrived");
    await expect(send(`${typed.url}/hop/6`)).rejects.toBeInstanceOf(RedirectRefusedError);
  });

  it("an error answer keeps its status however long its page; only 64 kB of it are read", async () => {
    const res = await outboundFetch(loopback, { maxBytes: 1 << 20, timeoutMs: 10_000 })(`${typed.url}/big-error`);
    expect(res.status).toBe(401);
    expect((await res.text()).length).toBe(64 * 1024);
  });

  it("hands a redirect to a caller that asks for it, and follows nothing", async () => {
    status = 302;
    to = `${target.url}/elsewhere`;
    const res = await outboundFetch(loopback, { maxBytes: 1 << 20, timeoutMs: 10_000 })(`${typed.url}/x`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(target.hits).toEqual([]);
  });
});

describe("a 50 MB answer", () => {
  let server: http.Server;
  let url: string;
  let written = () => 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const declared = req.url === "/declared";
      res.writeHead(200, declared ? { "content-length": String(50 * 1024 * 1024) } : {});
      written = pour(res, 50 * 1024 * 1024);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("stops at the cap, and the rest is not downloaded", async () => {
    const res = await outboundFetch(loopback, { maxBytes: 10 * 1024 * 1024, timeoutMs: 30_000 })(`${url}/streamed`);
    await expect(res.text()).rejects.toBeInstanceOf(ResponseTooLargeError);
    // What the server got written before the connection went away: the cap and the sockets'
    // buffers, not 50 MB.
    await new Promise((r) => setTimeout(r, 200));
    expect(written()).toBeLessThan(30 * 1024 * 1024);
  });

  it("is refused before reading when its declared length is over the cap", async () => {
    await expect(outboundFetch(loopback, { maxBytes: 10 * 1024 * 1024, timeoutMs: 30_000 })(`${url}/declared`)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });
});

describe.runIf(radicaleAvailable())("a CardDAV server that turns hostile", () => {
  let radicale: DavServer;
  let handle: DbHandle;
  let demo: SeededDemo;
  let target: TestHost;
  let proxy: TestHost;
  /** What the proxy does instead of forwarding, when set and it returns true. */
  let hostile: Hostile | null = null;
  /** `work` while the proxy answers as `answer` says (forwarding what it does not answer). */
  async function whileHostile<T>(answer: Hostile, work: () => Promise<T>): Promise<T> {
    hostile = answer;
    try {
      return await work();
    } finally {
      hostile = null;
    }
  }
  let n = 0;
  const password = "an-app-password";

  beforeAll(async () => {
    radicale = await startDavServer({ kind: "radicale" });
    ({ handle, demo } = await openSeeded(testDatabases()[0]!.open));
    target = await startTestHost({ name: "127.0.0.2", address: "127.0.0.2", handle: (_req, _body, res) => void res.end(SECRET) });
    const forward = forwardTo(radicale.url);
    proxy = await startTestHost({
      name: "127.0.0.1",
      address: "127.0.0.1",
      handle: (req, body, res) => (hostile?.(req, res, body) ? undefined : forward(req, body, res)),
    });
  });
  afterAll(async () => {
    await Promise.all([target?.close(), proxy?.close()]);
    await radicale?.stop();
    await handle?.close();
  });

  const viewer = async (user: keyof SeededDemo["users"] = "east") => (await getViewer(handle.db, demo.users[user]))!;

  async function account(): Promise<AddressBook> {
    return openCardDavAddressBook({ url: radicale.url, email: `hostile${++n}@example.com`, group: "Contacts", password, create: true, server: radicale });
  }

  const signIn = async (book: AddressBook, user: keyof SeededDemo["users"] = "east", pw = password) =>
    connectWithPassword(handle.db, await viewer(user), { provider: "carddav", email: book.email, serverUrl: proxy.url, username: book.email, password: pw }, { agent: viaLoopback });

  /** A connection to the book, synced once two-way (so that a person created after is pushed). */
  async function connected(book: AddressBook): Promise<string> {
    const { connectionId } = await signIn(book);
    await handle.db.update(syncConnections).set({ groupId: book.groupId, groupName: "Contacts", direction: "two_way", visibility: "owner" }).where(eq(syncConnections.id, connectionId));
    expect(await sync(connectionId)).toMatchObject({ outcome: "succeeded" });
    return connectionId;
  }

  async function sync(connectionId: string) {
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
    return runSync({ db: handle.db, connectionId, trigger: "manual", adapter: await adapterForConnection(handle.db, conn!, { agent: viaLoopback }) });
  }

  const lastError = async (connectionId: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, connectionId)))[0]!.lastError;

  it.each(REDIRECTS)("at sign-in, a %i to an internal address sends nothing there, and says the server left", async (code) => {
    const book = await account();
    await whileHostile((_req, res) => {
      res.writeHead(code, { location: `${target.url}/latest/meta-data/` });
      res.end();
      return true;
    }, async () => {
      await expect(signIn(book)).rejects.toMatchObject({ key: "carddav.leftServer" });
    });
    expect(target.hits).toEqual([]);
  });

  it("during a sync, a 307 to an internal address sends nothing there; the run fails saying so", async () => {
    const book = await account();
    const id = await connected(book);
    await whileHostile((req, res) => {
      if (req.method !== "REPORT") return false;
      res.writeHead(307, { location: `${target.url}/latest/meta-data/` });
      res.end();
      return true;
    }, async () => {
      const run = await sync(id);
      expect(run).toMatchObject({ outcome: "failed" });
    });
    expect(await lastError(id)).toMatch(/redirected Tandem from 127\.0\.0\.1:\d+ to 127\.0\.0\.2:\d+/);
    expect(target.hits).toEqual([]);
  });

  it("at sign-in, a principal named as //another-host/… is refused, and that host gets nothing", async () => {
    const book = await account();
    await whileHostile((req, res) => {
      if (req.method !== "PROPFIND") return false;
      const other = new URL(target.url).host;
      res.writeHead(207, { "content-type": "application/xml; charset=utf-8" });
      res.end(
        `<?xml version="1.0"?><multistatus xmlns="DAV:"><response><href>${req.url}</href><propstat><prop><current-user-principal><href>//${other}/principal/</href></current-user-principal><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`,
      );
      return true;
    }, async () => {
      await expect(signIn(book)).rejects.toMatchObject({ key: "carddav.leftServer" });
    });
    expect(target.hits).toEqual([]);
  });

  it("a card named //another-host/… in a listing stays a path of the address book's own server", async () => {
    const book = await account();
    const id = await connected(book);
    await book.addMany([{ given: "Slash", family: `Slash${n}`, email: `slash${n}@example.com` }]);
    const other = new URL(target.url).host;
    await whileHostile((req, res, body) => {
      if (req.method !== "REPORT" || !body.includes("sync-collection")) return false;
      // The server's answer, its card hrefs made absolute URLs of its own origin whose path
      // reads as another host.
      void forwardTo(radicale.url, (_r, text) => text.replace(/(<[^>]*href>)(\/[^<]+\.vcf)/g, `$1${proxy.url}//${other}$2`))(req, body, res);
      return true;
    }, async () => {
      expect(await sync(id)).toMatchObject({ status: "done" });
    });
    expect(target.hits).toEqual([]);
  });

  it("a server's error answers never reach a failure's reason or the connection's last error", async () => {
    const book = await account();
    const id = await connected(book);
    // A refused contact: the reason is the status, in our words.
    await whileHostile((req, res) => {
      if (req.method !== "PUT") return false;
      res.writeHead(400, { "content-type": "text/html" });
      res.end(`<h1>${SECRET}</h1><p>internal stack trace</p>`);
      return true;
    }, async () => {
      await createPerson(handle.db, await viewer(), personInput({ firstName: "Hostile", lastName: `Refused${n}`, emails: [{ value: `hostile${n}@example.com`, label: "work" }] }));
      expect(await sync(id)).toMatchObject({ outcome: "succeeded", counts: { errors: 1 } });
    });
    const failures = await handle.db.select().from(syncFailures).where(eq(syncFailures.connectionId, id));
    expect(failures.map((f) => f.reason)).toEqual(["The server refused the contact (HTTP 400)"]);
    // A listing the server refuses, with words of its own: the run fails, in ours.
    await whileHostile((req, res) => {
      if (req.method !== "REPORT" && req.method !== "PROPFIND") return false;
      res.writeHead(418, { "content-type": "text/plain" });
      res.end(`${SECRET}: database at 10.0.0.5 is down`);
      return true;
    }, async () => {
      expect(await sync(id)).toMatchObject({ outcome: "failed" });
    });
    const error = await lastError(id);
    expect(error).toMatch(/HTTP 418/);
    expect(error).not.toContain(SECRET);
    expect(error).not.toContain("10.0.0.5");
  });

  it("cards answered with 50 MB stop at the cap: the card is too large to read, under Needs attention, and the run goes on", async () => {
    const book = await account();
    const id = await connected(book);
    await book.addMany([{ given: "Huge", family: `Card${n}`, email: `huge${n}@example.com` }]);
    let sent = () => 0;
    await whileHostile((req, res, body) => {
      if (req.method !== "REPORT" || !body.includes("addressbook-multiget")) return false;
      res.writeHead(207, { "content-type": "application/xml; charset=utf-8" });
      sent = pour(res, 50 * 1024 * 1024);
      return true;
    }, async () => {
      expect(await sync(id)).toMatchObject({ outcome: "succeeded", counts: { crmAdded: 0 } });
    });
    expect(sent()).toBeLessThan(30 * 1024 * 1024);
    const failures = await handle.db.select().from(syncFailures).where(eq(syncFailures.connectionId, id));
    expect(failures).toEqual([expect.objectContaining({ operation: "read", reason: "The card is larger than 10 MB, more than Tandem reads" })]);
  });

  it("the connect form is throttled per user, then per server", async () => {
    // The refused sign-ins of the tests above were aimed at this server too.
    await handle.db.delete(signInThrottle);
    const book = await account();
    const wrong = () => signIn(book, "east", "not-the-password").catch((e: unknown) => e);
    for (let i = 0; i < CONNECT_FREE_FAILURES.user; i++) expect(await wrong()).toMatchObject({ key: "carddav.passwordRefused" });
    const before = proxy.hits.length;
    expect(await wrong()).toMatchObject({ key: "connect.throttled" });
    // The throttled attempt asked the server nothing.
    expect(proxy.hits.length).toBe(before);
    // Another user may still try that server, until the server's own count runs out.
    const other = () => signIn(book, "west", "not-the-password").catch((e: unknown) => e);
    for (let i = CONNECT_FREE_FAILURES.user; i < CONNECT_FREE_FAILURES.server; i++) expect(await other()).toMatchObject({ key: "carddav.passwordRefused" });
    expect(await signIn(book, "manager", "not-the-password").catch((e: unknown) => e)).toMatchObject({ key: "connect.throttled" });
  });

  it("a user has at most MAX_CONNECTIONS_PER_USER connections, whatever the provider", async () => {
    const max = Number(process.env.MAX_CONNECTIONS_PER_USER);
    const admin = await viewer("admin");
    for (let i = 0; i < max; i++) {
      await createConnection(handle.db, { companyId: demo.companyId, userId: admin.id, provider: "google", accountEmail: `many${i}@gmail.com`, tokens: { accessToken: "x", refreshToken: "y", expiresAt: null, scope: null }, groupId: null, direction: "one_way", visibility: "owner" });
    }
    const book = await account();
    const error = await connectWithPassword(handle.db, admin, { provider: "carddav", email: book.email, serverUrl: proxy.url, username: book.email, password }, { agent: viaLoopback }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ key: "connect.tooMany", values: { max } });
    await expect(startAuthorization(handle.db, admin, { email: "one.more@gmail.com", provider: "google" })).rejects.toMatchObject({ key: "connect.tooMany" });
  });
});

describe.runIf(radicaleAvailable())("loopback servers, from the installation's configuration", () => {
  let radicale: DavServer;
  let book: AddressBook;
  beforeAll(async () => {
    radicale = await startDavServer({ kind: "radicale" });
    book = await openCardDavAddressBook({ url: radicale.url, email: "loopback@example.com", group: "Contacts", password: "pw-loopback", create: true, server: radicale });
  });
  afterAll(async () => {
    await radicale?.stop();
  });

  /** The CardDAV sign-in as the app makes it, in a process configured by these variables. */
  async function verifyWith(env: Record<string, string>): Promise<{ ok: boolean; key?: string }> {
    const { stdout } = await promisify(execFile)(path.resolve("node_modules/.bin/tsx"), ["tests/security/fixtures/verify-carddav.ts"], {
      env: { ...process.env, DEMO_MODE: "0", OUTBOUND_ALLOW: "", ...env, SERVER_URL: radicale.url, ACCOUNT: book.email, PASSWORD: "pw-loopback" },
    });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as { ok: boolean; key?: string };
  }

  it("are refused outside demo mode, and reached when OUTBOUND_ALLOW names them", async () => {
    expect(await verifyWith({})).toEqual({ ok: false, key: "carddav.privateAddress" });
    expect(await verifyWith({ OUTBOUND_ALLOW: "10.0.0.0/8" })).toEqual({ ok: false, key: "carddav.privateAddress" });
    expect(await verifyWith({ OUTBOUND_ALLOW: "127.0.0.1" })).toEqual({ ok: true });
  });
});
