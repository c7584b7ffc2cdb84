import http from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllowList, isPublicAddress } from "./address-rule";
import { AddressRefusedError, guardedAgent, guardedConnector } from "./agent";
import { outboundFetch } from "./fetch";

const LIMITS = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };

describe("the address rule", () => {
  it.each([
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.10",
    "169.254.169.254",
    "100.64.0.1",
    "127.0.0.1",
    "127.5.6.7",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fd00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
    expect(AllowList.NONE.allows("server.example", "443", address)).toBe(false);
  });

  it.each(["8.8.8.8", "17.253.144.10", "2001:4860:4860::8888", "::ffff:8.8.8.8"])("lets the public address %s through", (address) => {
    expect(isPublicAddress(address)).toBe(true);
    expect(AllowList.NONE.allows("server.example", "443", address)).toBe(true);
  });

  it("lets through what OUTBOUND_ALLOW names: host names, subdomains, addresses and ranges", () => {
    const allow = AllowList.parse(" nas.local, *.corp.example ,192.168.1.10, 10.0.0.0/8, [fd00::10] ");
    expect(allow.allows("nas.local", "443", "192.168.7.7")).toBe(true);
    expect(allow.allows("NAS.local", "80", "192.168.7.7")).toBe(true);
    expect(allow.allows("dav.corp.example", "443", "172.16.0.3")).toBe(true);
    // A pattern for subdomains is not the domain itself, nor a name that merely ends alike.
    expect(allow.allows("corp.example", "443", "172.16.0.3")).toBe(false);
    expect(allow.allows("evilcorp.example", "443", "172.16.0.3")).toBe(false);
    expect(allow.allows("anything.example", "443", "192.168.1.10")).toBe(true);
    expect(allow.allows("anything.example", "443", "192.168.1.11")).toBe(false);
    expect(allow.allows("anything.example", "443", "10.200.3.4")).toBe(true);
    expect(allow.allows("anything.example", "443", "::ffff:10.200.3.4")).toBe(true);
    expect(allow.allows("anything.example", "443", "fd00::10")).toBe(true);
    expect(allow.allows("anything.example", "443", "fd00::11")).toBe(false);
    expect(allow.allows("anything.example", "443", "169.254.169.254")).toBe(false);
  });

  it("lets a demo server through by its origin only: its host and port", () => {
    const allow = AllowList.NONE.withOrigins(["http://127.0.0.1:4030"]);
    expect(allow.allows("127.0.0.1", "4030", "127.0.0.1")).toBe(true);
    expect(allow.allows("127.0.0.1", "22", "127.0.0.1")).toBe(false);
    expect(allow.allows("127.0.0.2", "4030", "127.0.0.2")).toBe(false);
  });

  it.each(["*.", "10.0.0.0/99", "not a host", "http://x.example", "a..b"])("refuses the OUTBOUND_ALLOW entry %j, naming it", (entry) => {
    expect(() => AllowList.parse(entry)).toThrow(/OUTBOUND_ALLOW/);
  });
});

describe("the guarded agent", () => {
  let server: http.Server;
  let port: number;
  const seen: { host: string | undefined; url: string | undefined }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, url: req.url });
      res.end("hello");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** An agent whose resolver answers `addresses` for any name, and whose connect step fails the
   * test if it is ever reached. */
  function refusingAgent(addresses: string[]): { agent: Agent; connects: () => number } {
    let connects = 0;
    const agent = new Agent({
      connect: guardedConnector({
        allow: AllowList.NONE,
        resolve: async () => addresses.map((address) => ({ address })),
        connect: () => {
          connects += 1;
          throw new Error("a connection was attempted");
        },
      }),
    });
    return { agent, connects: () => connects };
  }

  it.each(["10.0.0.1", "169.254.169.254", "100.64.0.1", "fd00::1", "::1", "::ffff:127.0.0.1"])(
    "refuses a host name that resolves to %s before any connection is attempted",
    async (address) => {
      const { agent, connects } = refusingAgent([address]);
      const error = await outboundFetch(agent, LIMITS)("https://contacts.example.test/.well-known/carddav").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AddressRefusedError);
      expect(error).toMatchObject({ host: "contacts.example.test", address });
      expect(connects()).toBe(0);
    },
  );

  it("refuses a name when any one of its addresses is private", async () => {
    const { agent, connects } = refusingAgent(["93.184.215.14", "10.1.2.3"]);
    await expect(outboundFetch(agent, LIMITS)("https://mixed.example.test/")).rejects.toBeInstanceOf(AddressRefusedError);
    expect(connects()).toBe(0);
  });

  it.each(["http://127.0.0.1:5999/", "http://[::1]:5999/", "http://2130706433:5999/", "http://0x7f.1:5999/", "http://0.0.0.0:5999/", "http://169.254.169.254/latest/meta-data/"])(
    "refuses the address written in %s without resolving or connecting",
    async (url) => {
      const { agent, connects } = refusingAgent([]);
      await expect(outboundFetch(agent, LIMITS)(url)).rejects.toBeInstanceOf(AddressRefusedError);
      expect(connects()).toBe(0);
    },
  );

  it("connects to the address it checked, keeping the host name for the request", async () => {
    // `app.test` exists only in this resolver: the connection goes where the check looked.
    const agent = guardedAgent({ allow: AllowList.parse("127.0.0.1"), resolve: async () => [{ address: "127.0.0.1" }] });
    const res = await outboundFetch(agent, LIMITS)(`http://app.test:${port}/hello`);
    expect(await res.text()).toBe("hello");
    expect(seen.at(-1)).toEqual({ host: `app.test:${port}`, url: "/hello" });
  });

  it("lets through a loopback server the installation allows, and no other", async () => {
    const allowed = guardedAgent({ allow: AllowList.parse("127.0.0.0/8") });
    expect(await (await outboundFetch(allowed, LIMITS)(`http://127.0.0.1:${port}/`)).text()).toBe("hello");
    const refused = guardedAgent({ allow: AllowList.NONE });
    await expect(outboundFetch(refused, LIMITS)(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(AddressRefusedError);
  });
});
