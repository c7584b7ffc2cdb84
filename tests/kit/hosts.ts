// Named hosts for the tests of where requests may go: host names a test's resolver answers
// (never the network's), each a server on its own loopback address (127.0.0.1, 127.0.0.2, …) —
// an https proxy in front of a real CardDAV server, whose answers it may rewrite, or a plain
// HTTP server that answers what a hostile one would. Every server records what reached it, so a
// test can say a request (or a password) never did. Nothing here leaves 127.0.0.0/8.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Resolve } from "@/lib/sync/outbound/agent";

/** A self-signed certificate for these host names (a leaf, not a CA), made by openssl. */
export function testCertificate(names: string[]): { cert: Buffer; key: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", `/CN=${names[0]}`,
        "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return { cert: fs.readFileSync(path.join(dir, "cert.pem")), key: fs.readFileSync(path.join(dir, "key.pem")) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A resolver that knows only these names (name → loopback address). */
export function testResolver(hosts: Record<string, string>): Resolve {
  return async (hostname) => {
    const address = hosts[hostname.toLowerCase()];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return [{ address }];
  };
}

/** What reached a server. */
export type Hit = { method: string; path: string; authorization: string | null; body: string };

export type TestHost = {
  /** https://name:port or http://name:port */
  url: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
};

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void | Promise<void>;

async function listen(server: http.Server, address: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function recording(hits: Hit[], handle: Handler): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      hits.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization ?? null, body });
      Promise.resolve(handle(req, body, res)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  };
}

/** A server named `name` on `address`: https with `tls`, plain http without. */
export async function startTestHost(opts: { name: string; address: string; tls?: { cert: Buffer; key: Buffer }; handle: Handler }): Promise<TestHost> {
  const hits: Hit[] = [];
  const listener = recording(hits, opts.handle);
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : http.createServer(listener);
  const port = await listen(server, opts.address);
  return {
    url: `${opts.tls ? "https" : "http"}://${opts.name}:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A handler that forwards to `upstream` (a CardDAV server on plain http), with the answer's
 * body passed through `rewrite` (the request's method and path, and the body as text). */
export function forwardTo(upstream: string, rewrite: (req: { method: string; path: string }, body: string) => string = (_r, b) => b): Handler {
  const target = new URL(upstream);
  return (req, body, res) =>
    new Promise<void>((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      delete headers["content-length"];
      // Bodies pass as text to rewrite: not compressed.
      delete headers["accept-encoding"];
      const forward = http.request(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
        (up) => {
          const chunks: Buffer[] = [];
          up.on("data", (c: Buffer) => chunks.push(c));
          up.on("end", () => {
            const text = rewrite({ method: req.method ?? "", path: req.url ?? "" }, Buffer.concat(chunks).toString("utf8"));
            const out = { ...up.headers };
            delete out["content-length"];
            delete out["transfer-encoding"];
            res.writeHead(up.statusCode ?? 502, { ...out, "content-length": Buffer.byteLength(text) });
            res.end(text);
            resolve();
          });
          up.on("error", reject);
        },
      );
      forward.on("error", reject);
      forward.end(body);
    });
}

/** Writes `total` bytes of spaces to a response as fast as the client reads them, and stops when
 * the client goes away (a server answering with more than anyone should read). Returns how much
 * it has written so far. */
export function pour(res: http.ServerResponse, total: number): () => number {
  const chunk = Buffer.alloc(256 * 1024, " ");
  let sent = 0;
  const more = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", more);
    }
    res.end();
  };
  res.on("close", () => res.removeAllListeners("drain"));
  more();
  return () => sent;
}
