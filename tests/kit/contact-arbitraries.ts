// fast-check arbitraries the providers' mapping tests share: the values of a contact's fields
// that every provider must carry (or project) the same way. Each test adds its provider's own
// vocabulary (labels, phone slots, IM schemes).
import fc from "fast-check";

/** Dates from `minYear`, year-less days, and what a careless client writes (29 and 30 February,
 * Apple's year 1604, year 0000, junk). */
export function birthdayArb(minYear: number): fc.Arbitrary<string | null> {
  return fc.option(
    fc.oneof(
      fc.date({ min: new Date(`${minYear}-01-01`), max: new Date("2020-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([m, d]) => `--${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`),
      fc.constantFrom("--02-29", "1604-03-05", "0000-07-01", "2000-02-29", "junk", "2023-02-30", "--02-30"),
    ),
    { nil: null },
  );
}

/** Multi-line notes (CRLF between lines) built from the given sample lines and random text. */
export function notesArb(samples: string[]): fc.Arbitrary<string | null> {
  return fc.option(fc.array(fc.oneof(fc.constantFrom(...samples), fc.string({ maxLength: 10 })), { maxLength: 4 }).map((lines) => lines.join("\r\n")), { nil: null });
}
