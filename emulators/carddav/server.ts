/**
 * A real CardDAV server (Debian's Radicale 3.1 or Xandikos 0.2) started as a child process for
 * tests, benchmarks and the demo: its own throwaway folder and config (nothing read from
 * /etc/radicale), 127.0.0.1, a port the OS picked. The child dies with this process: it is
 * killed on exit, and it is started through a tiny python3 shim that asks Linux to SIGKILL it
 * if this process goes away without running exit handlers (PR_SET_PDEATHSIG).
 * It does not emulate anything: request counting, faults and revocation live in proxy.ts.
 *
 * What the servers do (checked with curl against the Debian packages):
 * - Both: `/.well-known/carddav` redirects to `/` (Radicale 301, Xandikos 302, for any method,
 *   PROPFIND included); `/` answers `current-user-principal`; the principal answers
 *   `addressbook-home-set`; collections answer `getctag` and `sync-token` and support
 *   `sync-collection`; a failed If-Match or If-None-Match on PUT or DELETE is 412; MKCOL on an
 *   existing collection is 405.
 * - Radicale: HTTP/1.0, a new connection per request, listen backlog 5, at most
 *   `max_connections` (8) requests at a time. Basic auth against a plain htpasswd file that is
 *   re-read on every login, so addUser needs no restart; a wrong password is 401 (delayed by
 *   `[auth] delay`, set to 0 here). A user's principal `/<user>/` (also its address-book home)
 *   exists only after the user's first authenticated PROPFIND, so addUser makes one. Hrefs are
 *   percent-encoded (`/ada%40example.com/`). Another user's collections are 403 (owner_only).
 *   It re-serializes every card (vobject): properties reordered, parameter names and X- names
 *   upper-cased, `type=A;type=B` merged into `TYPE=A,B`, `item2.X-ABLabel` separated from its
 *   `item2.EMAIL`; the ETag hashes the stored text. A card without UID is 400, a second card with
 *   the same UID in a collection is 409 `<CR:no-uid-conflict/>`. An unknown or malformed sync
 *   token is 403 `<error xmlns="DAV:"><valid-sync-token /></error>`; tokens look like
 *   `http://radicale.org/ns/sync/<sha256>` and live 30 days (`max_sync_token_age`). Request
 *   bodies must carry Content-Length (WSGI: a chunked body reads as empty). A PUT that replaces
 *   a card answers 201 like a new one. Each PUT checks the UID against every card of the
 *   collection, so it slows as the book grows (about 8 ms per card in an empty book, 40 ms at
 *   1,000 cards): bulk loads are quadratic.
 * - Xandikos: no authentication at all (any or no Authorization is accepted) and one principal,
 *   `/user/` (home `/user/contacts/`, made by --autocreate): every "user" shares it, so addUser
 *   does nothing and makeAddressBook ignores the username. XML request bodies need
 *   Content-Type application/xml or text/xml (else 415). Cards are stored verbatim in git
 *   (ETags and tokens are git SHAs; getctag equals the sync-token); it checks neither UID presence nor UID
 *   uniqueness. An unknown sync token is a 500 Internal Server Error (an unhandled git lookup), not
 *   the 403 valid-sync-token of RFC 6578. PUT answers no Location; replacing a card is 204.
 *   addressbook-multiget is slow (250 hrefs in a 500-card book: about 1 s), addressbook-query
 *   and PROPFIND are fast.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export type DavServerKind = "radicale" | "xandikos";

export interface DavServer {
  readonly kind: DavServerKind;
  /** http://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  /** Radicale: adds or replaces the user's line in the plain htpasswd file (re-read on every
   * login) and makes the user's principal collection. Xandikos has no authentication: a no-op. */
  addUser(username: string, password: string): Promise<void>;
  /** Creates an address book collection (extended MKCOL with resourcetype addressbook + displayname) for the user; returns its absolute href path (ending in /). */
  makeAddressBook(username: string, password: string, displayName: string, opts?: { slug?: string }): Promise<string>;
  /** Kills the process and removes the throwaway folder (not a storageDir given by the caller). */
  stop(): Promise<void>;
}

export interface StartDavServerOptions {
  kind: DavServerKind;
  /** Default: a port the OS picks. */
  port?: number;
  /** Keep the collections here (created if missing, never removed); default: inside the throwaway folder. */
  storageDir?: string;
}

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;
const LOG_TAIL_BYTES = 8_192;
const XANDIKOS_PRINCIPAL = "/user/";
const XANDIKOS_HOME = "/user/contacts/";

function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export function radicaleAvailable(): boolean {
  return findExecutable("radicale") !== null;
}

export function xandikosAvailable(): boolean {
  return findExecutable("xandikos") !== null;
}

/** Children still running, killed when this process exits (one listener for all of them). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
    exitHookInstalled = true;
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

// Runs argv[2:] after asking Linux to SIGKILL it when its parent dies; exits if the parent
// (argv[1]) is already gone. prctl(PR_SET_PDEATHSIG=1) survives execv.
const PDEATHSIG_SHIM = [
  "import ctypes, os, sys",
  "try: ctypes.CDLL(None).prctl(1, 9)",
  "except Exception: pass",
  "if os.getppid() != int(sys.argv[1]): sys.exit(1)",
  "os.execv(sys.argv[2], sys.argv[2:])",
].join("\n");

function spawnTied(command: string, args: string[]): ChildProcess {
  const python = findExecutable("python3");
  const [file, argv] = python ? [python, ["-c", PDEATHSIG_SHIM, String(process.pid), command, ...args]] : [command, args];
  const child = spawn(file, argv, { detached: false, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  return child;
}

/** Keeps the last few KB of the child's output for error messages; the pipes must be drained anyway. */
function logTail(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString("utf8")).slice(-LOG_TAIL_BYTES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: "OPTIONS", timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

async function waitUntilAnswering(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = child.exitCode !== null;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`The CardDAV server exited while starting:\n${log()}`);
    if (await answers(url)) return;
    await sleep(25);
  }
  child.kill("SIGKILL");
  throw new Error(`The CardDAV server did not answer at ${url} within ${START_TIMEOUT_MS} ms:\n${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;

function slug(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .slice(0, 40);
  return `${s || "book"}-${randomBytes(3).toString("hex")}`;
}

function mkcolBody(displayName: string): string {
  const escaped = displayName.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>` +
    `<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>${escaped}</d:displayname>` +
    `</d:prop></d:set></d:mkcol>`
  );
}

async function mkcolAddressBook(baseUrl: string, href: string, displayName: string, authorization?: string): Promise<string> {
  const res = await fetch(new URL(href, baseUrl), {
    method: "MKCOL",
    headers: { "content-type": "application/xml; charset=utf-8", ...(authorization ? { authorization } : {}) },
    body: mkcolBody(displayName),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`MKCOL ${href} answered ${res.status}`);
  return href;
}

const PROPFIND_PRINCIPAL = `<?xml version="1.0" encoding="utf-8"?>\n<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>`;

/** Radicale makes a user's principal collection on the user's first authenticated PROPFIND. */
async function touchPrincipal(baseUrl: string, username: string, password: string): Promise<void> {
  const res = await fetch(new URL(`/${encodeURIComponent(username)}/`, baseUrl), {
    method: "PROPFIND",
    headers: { authorization: basic(username, password), depth: "0", "content-type": "application/xml; charset=utf-8" },
    body: PROPFIND_PRINCIPAL,
  });
  await res.arrayBuffer();
  if (res.status !== 207) throw new Error(`Radicale answered ${res.status} to the principal PROPFIND of ${username}`);
}

function radicaleConfig(o: { port: number; htpasswd: string; storage: string }): string {
  return [
    "[server]",
    `hosts = 127.0.0.1:${o.port}`,
    "[auth]",
    "type = htpasswd",
    `htpasswd_filename = ${o.htpasswd}`,
    "htpasswd_encryption = plain",
    "delay = 0",
    "[rights]",
    "type = owner_only",
    "[storage]",
    `filesystem_folder = ${o.storage}`,
    "[web]",
    "type = none",
    "[logging]",
    "level = warning",
    "mask_passwords = True",
    "",
  ].join("\n");
}

async function upsertHtpasswd(file: string, username: string, password: string): Promise<void> {
  if (/[:\r\n]/.test(username) || /[\r\n]/.test(password) || username === "") throw new Error("htpasswd: the username may not be empty or hold ':' or a newline, nor the password a newline");
  const lines = existsSync(file) ? (await readFile(file, "utf8")).split("\n").filter((l) => l !== "" && !l.startsWith(`${username}:`)) : [];
  lines.push(`${username}:${password}`);
  // Radicale may read the file at any moment: replace it in one rename.
  const next = `${file}.${randomBytes(4).toString("hex")}`;
  await writeFile(next, `${lines.join("\n")}\n`, { mode: 0o600 });
  await rename(next, file);
}

async function launch(kind: DavServerKind, bin: string, port: number, dir: string, storage: string): Promise<{ child: ChildProcess; log: () => string }> {
  if (kind === "radicale") {
    const configFile = path.join(dir, "radicale.conf");
    await writeFile(configFile, radicaleConfig({ port, htpasswd: path.join(dir, "users"), storage }));
    const child = spawnTied(bin, ["--config", configFile]);
    return { child, log: logTail(child) };
  }
  const child = spawnTied(bin, ["-d", storage, "-l", "127.0.0.1", "-p", String(port), "--autocreate", "--current-user-principal", XANDIKOS_PRINCIPAL]);
  return { child, log: logTail(child) };
}

export async function startDavServer(opts: StartDavServerOptions): Promise<DavServer> {
  const { kind } = opts;
  const bin = findExecutable(kind);
  if (!bin) throw new Error(`${kind} is not installed (apt-get install ${kind})`);
  const dir = await mkdtemp(path.join(tmpdir(), `tandem-${kind}-`));
  const storage = opts.storageDir ?? path.join(dir, "collections");
  await mkdir(storage, { recursive: true });
  const htpasswd = path.join(dir, "users");
  await writeFile(htpasswd, "", { mode: 0o600 });

  // A port picked by the OS can be taken again before the child binds it: retry on a fresh one.
  let started: { child: ChildProcess; url: string } | null = null;
  for (let attempt = 1; !started; attempt++) {
    const port = opts.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const { child, log } = await launch(kind, bin, port, dir, storage);
    try {
      await waitUntilAnswering(url, child, log);
      started = { child, url };
    } catch (err) {
      await stopChild(child);
      if (opts.port !== undefined || attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  const { child, url } = started;

  return {
    kind,
    url,
    async addUser(username, password) {
      if (kind === "xandikos") return;
      await upsertHtpasswd(htpasswd, username, password);
      await touchPrincipal(url, username, password);
    },
    async makeAddressBook(username, password, displayName, opts = {}) {
      const name = opts.slug ?? slug(displayName);
      if (kind === "xandikos") return mkcolAddressBook(url, `${XANDIKOS_HOME}${name}/`, displayName);
      await touchPrincipal(url, username, password);
      return mkcolAddressBook(url, `/${encodeURIComponent(username)}/${name}/`, displayName, basic(username, password));
    },
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
