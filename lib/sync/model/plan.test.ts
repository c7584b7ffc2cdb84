// The planner, exhaustively: every field × every combination of base / CRM / provider drawn
// from three values, in both directions, against the rules stated in plan.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTACT_FIELDS, EMPTY_CONTACT, type Contact, type ContactField } from "./contact";
import { decideCrmGone, decideProviderGone, mergeContact } from "./plan";

const SCALAR_VALUES: Record<Exclude<ContactField, "emails" | "phones" | "ims">, [unknown, unknown, unknown]> = {
  firstName: ["Ann", "Anna", "Annie"],
  lastName: ["Lee", "Li", "Leigh"],
  address: [null, "1 Main St", "2 High St"],
  postalAddress: [null, "PO Box 1", "PO Box 2"],
  organization: [null, "Initech", "Globex"],
  jobTitle: [null, "CTO", "CEO"],
  notes: [null, "likes tea", "likes coffee\nand tea"],
  birthday: [null, "1990-04-01", "--04-01"],
};

const withField = (field: ContactField, value: unknown): Contact => ({ ...EMPTY_CONTACT, firstName: "X", [field]: value });

describe("mergeContact on scalar fields", () => {
  for (const [field, values] of Object.entries(SCALAR_VALUES) as [ContactField, unknown[]][]) {
    for (const b of values)
      for (const c of values)
        for (const p of values) {
          for (const direction of ["one_way", "two_way"] as const) {
            const crmChanged = c !== b;
            const providerChanged = p !== b;
            const conflict = crmChanged && providerChanged && c !== p;
            const expected = conflict ? (direction === "two_way" ? c : p) : crmChanged ? c : p;
            it(`${direction} ${field}: base=${String(b)} crm=${String(c)} provider=${String(p)} → ${String(expected)}`, () => {
              const m = mergeContact({
                base: withField(field, b),
                crm: withField(field, c),
                provider: withField(field, p),
                direction,
              });
              expect(m.merged[field]).toEqual(expected);
              expect(m.conflicts.map((x) => x.field)).toEqual(conflict ? [field] : []);
              if (conflict) {
                expect(m.conflicts[0]).toMatchObject({ base: b, crm: c, provider: p, winner: direction === "two_way" ? "crm" : "provider" });
              }
              expect(m.crmFields).toEqual(expected === c ? [] : [field]);
              expect(m.providerFields).toEqual(direction === "one_way" || expected === p ? [] : [field]);
            });
          }
        }
  }
});

describe("mergeContact on list fields", () => {
  const e = (...pairs: [string, string][]) => pairs.map(([value, label]) => ({ value, label }));
  const merge = (base: Contact["emails"], crm: Contact["emails"], provider: Contact["emails"], direction: "one_way" | "two_way" = "two_way") =>
    mergeContact({
      base: { ...EMPTY_CONTACT, emails: base },
      crm: { ...EMPTY_CONTACT, emails: crm },
      provider: { ...EMPTY_CONTACT, emails: provider },
      direction,
    });

  it("keeps additions from both sides", () => {
    const m = merge(e(["a@x", "work"]), e(["a@x", "work"], ["c@x", "home"]), e(["a@x", "work"], ["p@x", "work"]));
    expect(m.merged.emails).toEqual(e(["a@x", "work"], ["c@x", "home"], ["p@x", "work"]));
    expect(m.conflicts).toEqual([]);
    expect(m.crmFields).toEqual(["emails"]);
    expect(m.providerFields).toEqual(["emails"]);
  });

  it("applies a removal made on either side", () => {
    expect(merge(e(["a@x", "w"], ["b@x", "w"]), e(["b@x", "w"]), e(["a@x", "w"], ["b@x", "w"])).merged.emails).toEqual(e(["b@x", "w"]));
    expect(merge(e(["a@x", "w"], ["b@x", "w"]), e(["a@x", "w"], ["b@x", "w"]), e(["a@x", "w"])).merged.emails).toEqual(e(["a@x", "w"]));
  });

  it("applies a removal on one side and an addition on the other together", () => {
    const m = merge(e(["a@x", "w"]), e(), e(["a@x", "w"], ["n@x", "w"])).merged.emails;
    expect(m).toEqual(e(["n@x", "w"]));
  });

  it("resolves a label changed on both sides by the direction's rule, and reports it", () => {
    const two = merge(e(["a@x", "work"]), e(["a@x", "home"]), e(["a@x", "other"]));
    expect(two.merged.emails).toEqual(e(["a@x", "home"]));
    expect(two.conflicts).toHaveLength(1);
    const one = merge(e(["a@x", "work"]), e(["a@x", "home"]), e(["a@x", "other"]), "one_way");
    expect(one.merged.emails).toEqual(e(["a@x", "other"]));
    expect(one.providerFields).toEqual([]);
  });

  it("reports a removal that discards the other side's relabel", () => {
    const m = merge(e(["a@x", "work"]), e(), e(["a@x", "home"]));
    expect(m.merged.emails).toEqual([]);
    expect(m.conflicts.map((c) => c.field)).toEqual(["emails"]);
  });

  it("merges IM handles as plain strings", () => {
    const m = mergeContact({
      base: { ...EMPTY_CONTACT, ims: ["a"] },
      crm: { ...EMPTY_CONTACT, ims: ["a", "b"] },
      provider: { ...EMPTY_CONTACT, ims: [] },
      direction: "two_way",
    });
    expect(m.merged.ims).toEqual(["b"]);
  });
});

describe("mergeContact properties", () => {
  const value = fc.constantFrom("A", "B", "C");
  const contact = fc.record({
    firstName: value,
    lastName: value,
    emails: fc.uniqueArray(fc.record({ value: fc.constantFrom("a@x", "b@x", "c@x"), label: fc.constantFrom("work", "home") }), {
      selector: (x) => x.value,
    }).map((xs) => [...xs].sort((a, b) => (a.value < b.value ? -1 : 1))),
    phones: fc.constant([]),
    address: fc.option(value, { nil: null }),
    postalAddress: fc.constant(null),
    ims: fc.uniqueArray(fc.constantFrom("x", "y", "z")).map((xs) => [...xs].sort()),
    organization: fc.option(value, { nil: null }),
    jobTitle: fc.constant(null),
    notes: fc.option(value, { nil: null }),
    birthday: fc.constant(null),
  }) as fc.Arbitrary<Contact>;
  const direction = fc.constantFrom("one_way" as const, "two_way" as const);

  it("changes nothing when neither side changed", () => {
    fc.assert(
      fc.property(contact, direction, (c, d) => {
        const m = mergeContact({ base: c, crm: c, provider: c, direction: d });
        expect(m.crmFields).toEqual([]);
        expect(m.providerFields).toEqual([]);
        expect(m.conflicts).toEqual([]);
      }),
    );
  });

  it("takes a one-sided change as it is", () => {
    fc.assert(
      fc.property(contact, contact, direction, (base, changed, d) => {
        expect(mergeContact({ base, crm: base, provider: changed, direction: d }).merged).toEqual(changed);
        expect(mergeContact({ base, crm: changed, provider: base, direction: d }).merged).toEqual(changed);
      }),
    );
  });

  it("is a fixpoint: merging the merged result again changes nothing (two-way)", () => {
    fc.assert(
      fc.property(contact, contact, contact, (base, crm, provider) => {
        const { merged } = mergeContact({ base, crm, provider, direction: "two_way" });
        const again = mergeContact({ base: merged, crm: merged, provider: merged, direction: "two_way" });
        expect(again.crmFields).toEqual([]);
        expect(again.providerFields).toEqual([]);
      }),
    );
  });

  it("does not depend on which side is read first beyond the stated winner", () => {
    fc.assert(
      fc.property(contact, contact, contact, (base, crm, provider) => {
        const a = mergeContact({ base, crm, provider, direction: "two_way" });
        const b = mergeContact({ base, crm: provider, provider: crm, direction: "one_way" });
        // Two-way with CRM winning equals one-way with the sides swapped (provider winning).
        expect(a.merged).toEqual(b.merged);
      }),
    );
  });

  it("never loses a conflicting value silently: every field that ends up different from a side's edit is reported", () => {
    fc.assert(
      fc.property(contact, contact, contact, direction, (base, crm, provider, d) => {
        const m = mergeContact({ base, crm, provider, direction: d });
        for (const field of CONTACT_FIELDS) {
          if (field === "emails" || field === "ims" || field === "phones") continue;
          const lost =
            (JSON.stringify(crm[field]) !== JSON.stringify(base[field]) && JSON.stringify(m.merged[field]) !== JSON.stringify(crm[field])) ||
            (JSON.stringify(provider[field]) !== JSON.stringify(base[field]) &&
              JSON.stringify(m.merged[field]) !== JSON.stringify(provider[field]));
          expect(m.conflicts.some((c) => c.field === field)).toBe(lost);
        }
      }),
    );
  });
});

describe("edit against delete", () => {
  const base = { ...EMPTY_CONTACT, firstName: "A" };
  const edited = { ...base, jobTitle: "CEO" };
  it("a provider deletion deletes the person and reports a CRM edit it discards", () => {
    expect(decideProviderGone({ base, crm: base, direction: "two_way" })).toEqual({ action: "delete_person", lostEdit: null });
    expect(decideProviderGone({ base, crm: edited, direction: "one_way" })).toEqual({ action: "delete_person", lostEdit: edited });
  });
  it("gone on both sides is quiet", () => {
    expect(decideProviderGone({ base, crm: null, direction: "two_way" })).toEqual({ action: "unlink" });
  });
  it("a CRM deletion deletes at the provider only two-way, reporting a provider edit it discards", () => {
    expect(decideCrmGone({ base, provider: edited, direction: "two_way" })).toEqual({ action: "delete_at_provider", lostEdit: edited });
    expect(decideCrmGone({ base, provider: base, direction: "one_way" })).toEqual({ action: "nothing" });
  });
});
