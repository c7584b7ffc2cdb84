// CardDAV for the benchmarks: a real Radicale (a child process) with the test kit's counting proxy
// in front of it (in the benchmark's own process), and a book of N cards.
// - The book is seeded by writing its .vcf files straight into Radicale's storage folder: a PUT
//   costs about 27 ms and checks its UID against every card of the book (a 5,000-card book by
//   PUT takes minutes, quadratic in its size). The user and the book are made through the
//   server first, so the layout (collection-root/<user>/<book>/ and its .Radicale.props) is
//   Radicale's own; Radicale lists the folder on every request. The seed then lists the book
//   once: Radicale parses each new card into its item cache and records its sync history, as a
//   PUT would have, and the count is checked.
// The floor ("Radicale alone") is in dav-requests.ts and dav-floor.ts.
// It does not seed photos or group cards (the synced group is the whole book).
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AccountStats } from "@/emulators";
import { startDavProxy, startDavServer, type DavProxy, type DavServer } from "@/emulators/carddav";
import { openCardDavAddressBook } from "@/lib/sync/providers/carddav/test-kit";
import type { BookContact } from "@/tests/kit/address-book";
import { benchContact, type BenchBook } from "./address-book";
import { syncCollection, type DavTarget } from "./dav-requests";
import type { EmulatorHandle } from "./emulator";

/** Files written at a time while seeding. */
const SEED_CONCURRENCY = 64;
const WARM_UP_USER = "warm-up@bench.test";

/** A password sign-in the measured process warms its client with (not the benchmark's account). */
export type WarmAccount = { apiBaseUrl: string; username: string; password: string; groupId: string };

export type CardDavWorld = { server: DavServer; proxy: DavProxy; storageDir: string; warm: WarmAccount };

const password = (email: string) => `pw-${email}`;

function minus(now: AccountStats, before: AccountStats | undefined): AccountStats {
  if (!before) return now;
  const sub = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).flatMap(([k, v]) => (v - (b[k] ?? 0) > 0 ? [[k, v - (b[k] ?? 0)]] : [])));
  return { email: now.email, total: now.total - before.total, byEndpoint: sub(now.byEndpoint, before.byEndpoint), byStatus: sub(now.byStatus, before.byStatus) };
}

/** Radicale in a throwaway storage folder, the counting proxy in front (the proxy has no reset:
 * counters are read as a difference from the last reset). */
export async function startCardDavEmulator(): Promise<EmulatorHandle> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), "tandem-bench-radicale-"));
  const server = await startDavServer({ kind: "radicale", storageDir });
  const proxy = await startDavProxy(server.url);
  const baseline = new Map<string, AccountStats>();
  const close = async () => {
    await proxy.close();
    await server.stop();
    await rm(storageDir, { recursive: true, force: true });
  };
  try {
    const warmBook = await openCardDavAddressBook({ url: proxy.url, email: WARM_UP_USER, group: "Warm-up", password: password(WARM_UP_USER), create: true, server, proxy });
    await warmBook.add(benchContact(0));
    const secret = warmBook.secret;
    if (!("kind" in secret)) throw new Error("a CardDAV book signs in with a password");
    const warm: WarmAccount = { apiBaseUrl: secret.apiBaseUrl, username: secret.username, password: secret.password, groupId: warmBook.groupId };
    return {
      provider: "carddav",
      url: proxy.url,
      port: Number(new URL(proxy.url).port),
      resetStats: async (email) => void baseline.set(email.toLowerCase(), proxy.stats(email)),
      stats: async (email) => minus(proxy.stats(email), baseline.get(email.toLowerCase())),
      close,
      dav: { server, proxy, storageDir, warm },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// ---- the seed ------------------------------------------------------------------------------

const escapeText = (s: string) => s.replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n").replace(/,/g, "\\,").replace(/;/g, "\\;");
const structured = (parts: string[]) => parts.map(escapeText).join(";");

/** Folds a content line at 75 octets (RFC 2425 §5.8.1); the seed's text is ASCII. */
const fold = (line: string) => (line.match(/.{1,74}/g) ?? [""]).join("\r\n ");

/** A vCard 3.0 card with every mapped field, as a phone writes it (the test kit's layout:
 * lib/sync/providers/carddav/test-card.ts). */
export function benchCard(uid: string, c: BookContact): string {
  const adr = (a: NonNullable<BookContact["home"]>) => structured(["", "", a.street, a.city, a.region, a.postalCode, "United States"]);
  const lines = [
    "BEGIN:VCARD",
    "VERSION:3.0",
    "PRODID:-//Tandem bench//Seed//EN",
    `UID:${uid}`,
    `N:${structured([c.family ?? "", c.given ?? "", "", "", ""])}`,
    `FN:${escapeText([c.given, c.family].filter(Boolean).join(" "))}`,
    c.email && `EMAIL;TYPE=WORK:${escapeText(c.email)}`,
    c.email2 && `EMAIL;TYPE=HOME:${escapeText(c.email2)}`,
    c.phone && `TEL;TYPE=CELL:${escapeText(c.phone)}`,
    c.phone2 && `TEL;TYPE=WORK:${escapeText(c.phone2)}`,
    c.home && `ADR;TYPE=HOME:${adr(c.home)}`,
    c.work && `ADR;TYPE=WORK:${adr(c.work)}`,
    c.im && `IMPP:xmpp:${c.im}`,
    c.notes && `NOTE:${escapeText(c.notes)}`,
    c.company && `ORG:${escapeText(c.company)}`,
    c.title && `TITLE:${escapeText(c.title)}`,
    c.birthday && `BDAY:${c.birthday}`,
    "END:VCARD",
  ];
  return `${lines
    .filter((l): l is string => !!l)
    .map(fold)
    .join("\r\n")}\r\n`;
}

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** A user with one book "Clients" of n cards (benchContact 0…n-1), written into the storage
 * folder, listed once by Radicale and counted. */
export async function seedCardDavBook(emu: EmulatorHandle, n: number, email = "bench-carddav@example.com"): Promise<BenchBook> {
  if (!emu.dav) throw new Error("not a CardDAV server");
  const { server, proxy, storageDir } = emu.dav;
  const book = await openCardDavAddressBook({ url: proxy.url, email, group: "Clients", password: password(email), create: true, server, proxy });
  const folder = path.join(storageDir, "collection-root", ...book.groupId.split("/").filter(Boolean).map(decodeURIComponent));
  if (!existsSync(path.join(folder, ".Radicale.props"))) throw new Error(`Radicale keeps ${book.groupId} elsewhere than ${folder}`);
  const cards = Array.from({ length: n }, (_, i) => ({ uid: randomUUID(), i }));
  await inChunks(cards, SEED_CONCURRENCY, ({ uid, i }) => writeFile(path.join(folder, `${uid}.vcf`), benchCard(uid, benchContact(i))));
  const dav: DavTarget = { url: server.url, bookHref: book.groupId, username: email, password: password(email) };
  const listed = await syncCollection(dav, null);
  if (listed.hrefs.length !== n) throw new Error(`Radicale lists ${listed.hrefs.length} cards of the ${n} written into ${folder}`);
  return { ...book, ids: cards.map(({ uid }) => `${book.groupId}${uid}.vcf`) };
}
