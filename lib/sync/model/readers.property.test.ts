// The readers of provider data on hostile input (fast-check): text of up to 200 kB made of the
// characters that trip regular expressions (runs of spaces, tabs, no-break spaces and line ends,
// backslashes, semicolons, colons), and cards built of such lines. Whatever comes in, the
// normalisers are idempotent and leave no trailing space on a line; the vCard reader reads a card
// or refuses it as not a vCard, nothing else; a field over its limit is left out, never cut. That
// each takes time linear in its input is measured by bench/hostile.ts (200 kB worst cases), and
// guarded by the lint (eslint-plugin-regexp), not timed here.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_CONTACT, FIELD_LIMITS, normalizeContact, normalizeLongText, readProviderContact, type Contact } from "./contact";
import { cardLabel } from "../providers/carddav/adapter";
import { readVCard, VCardError } from "../providers/carddav/vcard";

const RUNS = Number(process.env.FC_RUNS ?? 40);
const HOSTILE = [" ", " ", " ", "\t", "\u00a0", "\n", "\r\n", "\r", "a", "é", "\\", ";", ":", ",", "="] as const;

/** Text of the hostile characters, in runs (a run of 10,000 spaces is the classic attack). */
const hostileText = (maxLength: number) =>
  fc
    .array(fc.tuple(fc.constantFrom(...HOSTILE), fc.integer({ min: 1, max: 20_000 })), { maxLength: 40 })
    .map((runs) => runs.map(([c, n]) => c.repeat(n)).join("").slice(0, maxLength));

const card = fc
  .array(
    fc.oneof(
      fc.constant("FN"),
      fc.constant("FN:Ada"),
      hostileText(20_000).map((t) => `NOTE:${t}`),
      hostileText(2_000).map((t) => `TEL;TYPE=${t}:1`),
      hostileText(2_000).map((t) => `N:${t}`),
      hostileText(20_000),
      fc.constant(" folded"),
    ),
    { maxLength: 12 },
  )
  .map((lines) => `BEGIN:VCARD\r\nVERSION:3.0\r\n${lines.join("\r\n")}\r\nEND:VCARD\r\n`.slice(0, 200 * 1024));

describe("the readers of provider data on hostile input", () => {
  it("normalise notes idempotently, with no trailing white space on any line", () => {
    fc.assert(
      fc.property(hostileText(200 * 1024), (text) => {
        const once = normalizeLongText(text);
        expect(normalizeLongText(once)).toBe(once);
        expect(once).not.toMatch(/[ \t\u00a0]\n/);
        expect(once).not.toContain("\r");
      }),
      { numRuns: RUNS },
    );
  });

  it("normalise a whole contact idempotently", () => {
    fc.assert(
      fc.property(hostileText(50_000), hostileText(50_000), hostileText(2_000), (name, notes, im) => {
        const contact: Contact = { ...EMPTY_CONTACT, firstName: name, notes, address: name, ims: [im], emails: [{ value: im, label: name.slice(0, 100) }] };
        const once = normalizeContact(contact, "US");
        expect(normalizeContact(once, "US")).toEqual(once);
      }),
      { numRuns: RUNS },
    );
  });

  it("leave a field over its limit out, never cut, and keep the others", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * FIELD_LIMITS.notes }), fc.integer({ min: 0, max: 3 * FIELD_LIMITS.lastName }), (notesLength, nameLength) => {
        const raw: Contact = { ...EMPTY_CONTACT, firstName: "Ada", lastName: "x".repeat(nameLength), notes: "n".repeat(notesLength) };
        const { contact, oversize } = readProviderContact(raw, "US");
        expect(contact.firstName).toBe("Ada");
        expect(contact.notes).toBe(notesLength > FIELD_LIMITS.notes || notesLength === 0 ? null : raw.notes);
        expect(contact.lastName).toBe(nameLength > FIELD_LIMITS.lastName ? "" : raw.lastName);
        expect(oversize.map((f) => f.field).sort()).toEqual([...(nameLength > FIELD_LIMITS.lastName ? ["lastName"] : []), ...(notesLength > FIELD_LIMITS.notes ? ["notes"] : [])].sort());
      }),
      { numRuns: RUNS },
    );
  });

  it("name a card by its file when it has no FN, whatever its name's encoding", () => {
    expect(cardLabel("", "/book/%E9t%C3%A9.vcf")).toBe("%E9t%C3%A9.vcf");
    expect(cardLabel("", "/book/%C3%A9t%C3%A9.vcf")).toBe("été.vcf");
  });

  it("read a card or refuse it as not a vCard, and name it by one line", () => {
    fc.assert(
      fc.property(card, (text) => {
        try {
          readVCard(text, { defaultCountry: "US" });
        } catch (error) {
          expect(error).toBeInstanceOf(VCardError);
        }
        const label = cardLabel(text, "/book/card.vcf");
        expect(label.length).toBeGreaterThan(0);
        expect(label).not.toContain("\n");
      }),
      { numRuns: RUNS },
    );
  });
});
