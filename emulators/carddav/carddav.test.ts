import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCardDavBook } from "@/lib/sync/providers/carddav/test-book";
import type { BookContact } from "@/tests/kit/address-book";
import { radicaleAvailable, seedDemoAddressBook, startDavProxy, startDavServer, xandikosAvailable, type DavProxy, type DavServer, type DavServerKind } from ".";

const PASSWORD = "app-password-1";
const auth = (username: string, password = PASSWORD): string => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

const ADA: BookContact = {
  given: "Ada",
  family: "Lovelace",
  email: "ada@analytical.example",
  email2: "ada.home@example.org",
  phone: "+1 415 555 0100",
  phone2: "+1 415 555 0101",
  home: { street: "12 St James's Square", city: "London", region: "LND", postalCode: "SW1Y 4JH" },
  work: { street: "1 Engine Row, Floor 2", city: "Cambridge", region: "CB", postalCode: "CB2 1TN" },
  im: "ada@jabber.example",
  notes: "Poetical science;\nnotes, on two lines",
  company: "Analytical Engines; Ltd",
  title: "Chief Mathematician",
  birthday: "1815-12-10",
};

async function syncCollection(url: string, href: string, username: string, token: string): Promise<{ status: number; body: string; token: string | null }> {
  const res = await fetch(new URL(href, url), {
    method: "REPORT",
    headers: { authorization: auth(username), depth: "1", "content-type": "application/xml; charset=utf-8" },
    body: `<?xml version="1.0" encoding="utf-8"?>\n<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
  });
  const body = await res.text();
  return { status: res.status, body, token: /<(?:\w+:)?sync-token>([^<]+)</.exec(body)?.[1] ?? null };
}

function behindTheProxy(kind: DavServerKind, quirks: { wellKnownStatus: number; expiredToken: { status: number; body: RegExp } }): void {
  let server: DavServer;
  let proxy: DavProxy;

  beforeAll(async () => {
    server = await startDavServer({ kind });
    proxy = await startDavProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  const open = (username: string, group: string) => openCardDavBook({ url: proxy.url, username, password: PASSWORD, group, create: true, server });

  it("reads back what a phone adds, edits and deletes", async () => {
    const book = await open("ada@example.com", "Clients");
    const [ada, grace, alan] = await book.addMany([ADA, { given: "Grace", family: "Hopper", email: "grace@navy.example" }, { given: "Alan", family: "Turing" }]);
    expect(ada!.startsWith(book.addressBookHref)).toBe(true);
    expect(book.groupId).toBe(book.addressBookHref);

    await book.update(ada!, { email: "ada@engines.example", title: "Countess", phone2: "" });
    await book.remove(alan!);

    const listed = await book.list();
    expect([...listed.keys()].sort()).toEqual([ada, grace].sort());
    const { etag, ...adaNow } = listed.get(ada!)!;
    expect(etag).not.toBe("");
    expect(adaNow).toEqual({ ...ADA, email: "ada@engines.example", title: "Countess", phone2: undefined });
    expect(listed.get(grace!)).toMatchObject({ given: "Grace", family: "Hopper", email: "grace@navy.example" });
  });

  it("lets a phone discover its home and make an address book there, keeping other books' cards out", async () => {
    await server.addUser("ivy@example.com", PASSWORD);
    const book = await openCardDavBook({ url: proxy.url, username: "ivy@example.com", password: PASSWORD, group: "Made on the phone", create: true });
    const inBook = await book.add({ given: "Inside" });
    const elsewhere = await book.add({ given: "Outside" }, { inGroup: false });
    expect(elsewhere.startsWith(book.addressBookHref)).toBe(false);
    expect([...(await book.list()).keys()]).toEqual([inBook]);
    const reopened = await openCardDavBook({ url: proxy.url, username: "ivy@example.com", password: PASSWORD, group: "Made on the phone", create: false });
    expect(reopened.addressBookHref).toBe(book.addressBookHref);
    expect(proxy.stats("ivy@example.com").byEndpoint["carddav.mkcol"]).toBe(2);
  });

  it("counts each user's requests by endpoint", async () => {
    const book = await open("bob@example.com", "Counted");
    const [first] = await book.addMany([{ given: "One" }, { given: "Two" }, { given: "Three" }]);
    await book.update(first!, { family: "Changed" });
    await book.remove(first!);
    await book.list();

    const stats = proxy.stats("Bob@example.com");
    expect(stats.byEndpoint).toEqual({
      "carddav.put.create": 3,
      "carddav.get": 1,
      "carddav.put.update": 1,
      "carddav.delete": 1,
      "carddav.propfind": 1,
      "carddav.report.addressbook-multiget": 1,
    });
    expect(stats.total).toBe(8);
    expect(proxy.stats("nobody@example.com").total).toBe(0);
  });

  it("answers injected 429s with Retry-After and 503s, then forwards again", async () => {
    const book = await open("carol@example.com", "Faulty");
    proxy.fault({ username: "carol@example.com", kind: "rate_limit", count: 1, retryAfterSeconds: 7 });
    proxy.fault({ username: "carol@example.com", kind: "server_error", count: 1 });
    proxy.fault({ username: "someone-else@example.com", kind: "server_error", count: 5 });

    const propfind = () => fetch(new URL(book.addressBookHref, proxy.url), { method: "PROPFIND", headers: { authorization: auth("carol@example.com"), depth: "0" } });
    const limited = await propfind();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await propfind()).status).toBe(503);
    expect((await propfind()).status).toBe(207);
    expect(proxy.stats("carol@example.com").byStatus).toMatchObject({ "429": 1, "503": 1 });
  });

  it("answers 401 to a revoked user only", async () => {
    const revoked = await open("dave@example.com", "Revoked");
    const other = await open("erin@example.com", "Still fine");
    proxy.revoke("Dave@example.com");
    await expect(revoked.list()).rejects.toThrow(/answered 401/);
    await expect(other.list()).resolves.toBeInstanceOf(Map);
  });

  it("makes an old sync token fail the way the server fails it, once per collection", async () => {
    const book = await open("frank@example.com", "Synced");
    await book.add({ given: "Before" });
    const first = await syncCollection(proxy.url, book.addressBookHref, "frank@example.com", "");
    expect(first.status).toBe(207);
    expect(first.token).toBeTruthy();
    await book.add({ given: "After" });

    proxy.expireSyncTokens();
    const expired = await syncCollection(proxy.url, book.addressBookHref, "frank@example.com", first.token!);
    expect(expired.status).toBe(quirks.expiredToken.status);
    expect(expired.body).toMatch(quirks.expiredToken.body);

    const again = await syncCollection(proxy.url, book.addressBookHref, "frank@example.com", first.token!);
    expect(again.status).toBe(207);
    expect(proxy.stats("frank@example.com").byEndpoint["carddav.report.sync-collection"]).toBe(3);
  });

  it("redirects /.well-known/carddav to the root", async () => {
    const res = await fetch(new URL("/.well-known/carddav", proxy.url), { redirect: "manual" });
    expect(res.status).toBe(quirks.wellKnownStatus);
    expect(res.headers.get("location")).toBe("/");
  });

  it("refuses a PUT whose If-Match is stale with 412", async () => {
    const book = await open("gina@example.com", "Stale");
    const id = await book.add({ given: "Gina" });
    const res = await fetch(new URL(id, proxy.url), {
      method: "PUT",
      headers: { authorization: auth("gina@example.com"), "content-type": "text/vcard", "if-match": '"stale"' },
      body: "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nN:;Gina;;;\r\nFN:Gina\r\nEND:VCARD\r\n",
    });
    expect(res.status).toBe(412);
  });

  it("streams a 5 MB photo through the proxy", async () => {
    const book = await open("hank@example.com", "Photos");
    const id = await book.add({ given: "Hank" });
    const photo = Buffer.alloc(5 * 1024 * 1024, 7);
    await book.setPhoto(id, photo);
    const res = await fetch(new URL(id, proxy.url), { headers: { authorization: auth("hank@example.com") } });
    const card = (await res.text()).replace(/\r?\n[ \t]/g, "");
    expect(card).toContain(photo.toString("base64"));
  });

  it("seeds the demo address book with twelve cards a phone can find", async () => {
    await seedDemoAddressBook(server, "demo@example.com", PASSWORD);
    const book = await openCardDavBook({ url: proxy.url, username: "demo@example.com", password: PASSWORD, group: "Friends", create: false });
    const cards = [...(await book.list()).entries()];
    expect(cards).toHaveLength(12);
    const [abigailId, abigail] = cards.find(([, c]) => c.given === "Abigail")!;
    expect(abigail).toMatchObject({ family: "Rodriguez", email: "abigail52@outlook.com", email2: "abby@climbing-collective.org", birthday: "--04-15", company: "Northwind Traders" });
    const raw = await (await fetch(new URL(abigailId, proxy.url), { headers: { authorization: auth("demo@example.com") } })).text();
    expect(raw).toMatch(/^item2\.X-ABLABEL:Climbing club\r?$/im);
    expect(raw).toMatch(/^X-SOCIALPROFILE;/m);
  });
}

describe.skipIf(!radicaleAvailable())("Radicale behind the test proxy", () => {
  behindTheProxy("radicale", { wellKnownStatus: 301, expiredToken: { status: 403, body: /<(\w+:)?valid-sync-token\s*\/>/ } });

  it("re-reads its htpasswd file: a user added while it runs signs in, a wrong password is 401", async () => {
    const server = await startDavServer({ kind: "radicale" });
    try {
      await server.addUser("late@example.com", "first");
      await server.addUser("late@example.com", "second");
      const propfind = (password: string) => fetch(new URL("/late%40example.com/", server.url), { method: "PROPFIND", headers: { authorization: auth("late@example.com", password), depth: "0" } });
      expect((await propfind("second")).status).toBe(207);
      expect((await propfind("first")).status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(!xandikosAvailable())("Xandikos behind the test proxy", () => {
  // Xandikos answers an unknown sync token with a 500 (an unhandled lookup error), not 403.
  behindTheProxy("xandikos", { wellKnownStatus: 302, expiredToken: { status: 500, body: /Internal Server Error/ } });
});
