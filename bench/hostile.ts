// Benchmark: hostile provider data. Each input is a worst case of its reader at 200 kB (the
// shapes that made the old regular expressions quadratic: a run of spaces that does not end the
// line, a card of "FN" lines without a colon, one giant folded line…), read the way a sync reads
// it: a Google person through the People API mapping, an Outlook contact through Graph's, a
// vCard through the CardDAV reader, and the normalisers alone. Every reader must stay linear:
// the time at 200 kB is reported beside the time at 50 kB (a linear reader takes about 4×, a
// quadratic one 16×), against a generous bound. No database, no network.
//   tsx bench/hostile.ts [--smoke]
import { normalizeContact, normalizeLongText } from "@/lib/sync/model/contact";
import { cardLabel } from "@/lib/sync/providers/carddav/adapter";
import { readVCard, VCardError } from "@/lib/sync/providers/carddav/vcard";
import { readGooglePerson } from "@/lib/sync/providers/google/mapping";
import { readGraphContact } from "@/lib/sync/providers/microsoft/mapping";
import { EMPTY_CONTACT } from "@/lib/sync/model/contact";
import { normalizeText } from "@/lib/normalize";
import { benchMain } from "./lib/cli";
import { report, type Target } from "./lib/report";

const FULL = 200 * 1024;
/** The most a 200 kB input may take, in ms: generous (a slow or busy machine), and still about
 * 200 times less than the quadratic readers took (22 s for 120,000 spaces and a letter). */
const BOUND_MS = 100;

const spacesThenLetter = (n: number) => `${" ".repeat(n - 1)}a`;
const cardOf = (body: string) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n${body}\r\nEND:VCARD\r\n`;

/** The CardDAV reader on a card, as a sync reads it: read, or refused as not a valid vCard. */
function readCard(text: string): void {
  try {
    readVCard(text, { defaultCountry: "US" });
  } catch (error) {
    if (!(error instanceof VCardError)) throw error;
  }
}

const CASES: { name: string; read: (n: number) => void }[] = [
  { name: "note: spaces then a letter (normalizeLongText)", read: (n) => normalizeLongText(spacesThenLetter(n)) },
  { name: "note: lines of spaces and tabs", read: (n) => normalizeLongText(" \t\u00a0x\n".repeat(n / 5)) },
  { name: "name: spaces then a letter (normalizeText)", read: (n) => normalizeText(spacesThenLetter(n)) },
  { name: "contact: every field spaces then a letter", read: (n) => normalizeContact({ ...EMPTY_CONTACT, firstName: spacesThenLetter(n / 4), notes: spacesThenLetter(n / 4), address: spacesThenLetter(n / 4), ims: [spacesThenLetter(n / 4)] }, "US") },
  {
    name: "Google person: note of spaces then a letter",
    read: (n) => readGooglePerson({ resourceName: "people/c1", etag: "e", names: [{ givenName: "A" }], biographies: [{ value: spacesThenLetter(n) }] }, { groupResourceName: "contactGroups/myContacts", defaultCountry: "US" }),
  },
  {
    name: "Google person: 40 kB notes (read in full)",
    read: (n) => readGooglePerson({ resourceName: "people/c1", etag: "e", names: [{ givenName: "A" }], biographies: [{ value: spacesThenLetter(Math.min(n, 60_000)) }] }, { groupResourceName: "contactGroups/myContacts", defaultCountry: "US" }),
  },
  { name: "Outlook contact: note of spaces then a letter", read: (n) => readGraphContact({ id: "c1", givenName: "A", personalNotes: spacesThenLetter(n) }, { folderId: "f", defaultCountry: "US" }) },
  { name: "vCard label: FN lines without a colon (cardLabel)", read: (n) => cardLabel("FN\n".repeat(n / 3), "/book/x.vcf") },
  { name: "vCard: a NOTE of spaces then a letter", read: (n) => readCard(cardOf(`NOTE:${spacesThenLetter(n)}`)) },
  { name: "vCard: one line folded 75 octets at a time", read: (n) => readCard(cardOf(`NOTE:${"x".repeat(n)}`.replace(/(.{74})/g, "$1\r\n "))) },
  { name: "vCard: a line of parameters", read: (n) => readCard(cardOf(`TEL${";TYPE=x".repeat(n / 7)}:1`)) },
  { name: "vCard: lines of parameters of the longest kind read", read: (n) => readCard(cardOf(Array.from({ length: n / 8000 }, () => `X-A${";p=v".repeat(1990)}:1`).join("\r\n"))) },
  { name: "vCard: a type list", read: (n) => readCard(cardOf(`TEL;TYPE=${"x,".repeat(n / 2)}:1`)) },
  { name: "vCard: backslashes and semicolons", read: (n) => readCard(cardOf(`N:${"\\;".repeat(n / 2)}`)) },
  { name: "vCard: many short lines", read: (n) => readCard(cardOf("X-A:b\r\n".repeat(n / 7))) },
];

/** The fastest of a few runs, in ms (the machine's other work only ever adds). */
function timed(read: () => void, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    read();
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(best * 100) / 100;
}

benchMain("hostile", async ({ smoke }) => {
  const runs = smoke ? 2 : 5;
  const targets: Target[] = [];
  const rows: Record<string, { at50k: number; at200k: number; ratio: number }> = {};
  for (const c of CASES) {
    c.read(1024); // warm the code paths
    const at50k = timed(() => c.read(FULL / 4), runs);
    const at200k = timed(() => c.read(FULL), runs);
    rows[c.name] = { at50k, at200k, ratio: Math.round((at200k / Math.max(at50k, 0.01)) * 10) / 10 };
    targets.push({ name: c.name, value: at200k, limit: BOUND_MS, unit: " ms" });
  }
  const figures = Object.entries(rows)
    .map(([name, r]) => `${name}: ${r.at200k} ms at 200 kB (${r.at50k} ms at 50 kB, ×${r.ratio})`)
    .join("; ");
  return report("hostile-input-200kB", "none", figures, targets, { rows, boundMs: BOUND_MS });
});
