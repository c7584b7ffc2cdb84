// planPage on its own (no database, thousands of pages a second): random pages of contacts
// against random links, persons, creates under way and first-sync pairs, checked against what a
// page may and may not do. The model test (tests/sync/model.property.test.ts) checks the whole.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LinkedLink, PendingCreate } from "@/db/queries/sync/links";
import type { PersonForSync } from "@/db/queries/sync/persons";
import type { Direction } from "@/db/schema";
import { changedFields, EMPTY_CONTACT, type Contact } from "../model/contact";
import type { PulledContact } from "../model/provider";
import { planPage, type PageAction, type PageInput, type PlanContext } from "./plan-page";

const USER = "user-1";

const contactArb: fc.Arbitrary<Contact> = fc
  .record({
    firstName: fc.constantFrom("Ann", "Bo", "Cy"),
    lastName: fc.constantFrom("", "Lund"),
    emails: fc.subarray(["a@x.test", "b@x.test"]).map((v) => v.map((value) => ({ value, label: "work" }))),
    jobTitle: fc.constantFrom(null, "CEO"),
  })
  .map((c) => ({ ...EMPTY_CONTACT, ...c }));

type World = { ctx: PlanContext; page: PageInput; crm: Map<string, Contact> };

const personArb = (id: string) =>
  fc.record({
    contact: contactArb,
    editable: fc.boolean(),
    deleted: fc.boolean(),
    owned: fc.boolean(),
    version: fc.integer({ min: 1, max: 5 }),
  }).map(({ contact, editable, deleted, owned, version }) => ({
    contact,
    person: {
      id,
      firstName: contact.firstName,
      lastName: contact.lastName,
      emails: contact.emails,
      phones: [],
      address: null,
      customFields: {},
      organizationId: null,
      version,
      deletedAt: deleted ? new Date(0) : null,
      ownerId: owned ? USER : "someone-else",
      organizationName: null,
      editable,
    } satisfies PersonForSync,
  }));

const link = (i: number, base: Contact, etag: string): LinkedLink =>
  ({ id: `L${i}`, connectionId: "c", personId: `P${i}`, state: "linked", providerId: `p${i}`, etag, base, crmVersion: 1, crmChanged: false, listedAt: null, gone: null, photoUrl: null, createdAt: new Date(0), updatedAt: new Date(0) }) as LinkedLink;
const pendingCreate = (i: number, base: Contact): PendingCreate =>
  ({ id: `Q${i}`, connectionId: "c", personId: `QP${i}`, state: "pending_create", providerId: null, etag: null, base, crmVersion: 1, crmChanged: false, listedAt: null, gone: null, photoUrl: null, createdAt: new Date(0), updatedAt: new Date(0) }) as PendingCreate;

const worldArb: fc.Arbitrary<World> = fc
  .record({
    direction: fc.constantFrom<Direction>("one_way", "two_way"),
    links: fc.array(fc.record({ base: contactArb, etag: fc.constantFrom("e1", "e2"), person: fc.option(personArb("x"), { nil: null }) }), { maxLength: 6 }),
    pending: fc.array(contactArb, { maxLength: 3 }),
    pairs: fc.array(fc.option(personArb("x"), { nil: null }), { minLength: 4, maxLength: 4 }),
    taken: fc.subarray([0, 1, 2, 3]),
    items: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom("p0", "p1", "p2", "p3", "p4", "p5", "p6", "n0", "n1", "n2", "n3"),
        etag: fc.constantFrom("e1", "e2"),
        deleted: fc.boolean(),
        inScope: fc.boolean(),
        contact: contactArb,
        previousId: fc.option(fc.constantFrom("p0", "p1", "p2"), { nil: undefined }),
        stamp: fc.option(fc.constantFrom("QP0", "QP1", "QP2"), { nil: undefined }),
      }),
      { selector: (i) => i.id, maxLength: 8 },
    ),
    unreadable: fc.subarray(["p0", "p5", "n3"]),
  })
  .map((w) => {
    const crm = new Map<string, Contact>();
    const persons = new Map<string, PersonForSync>();
    const links = new Map<string, LinkedLink>();
    w.links.forEach((l, i) => {
      links.set(`p${i}`, link(i, l.base, l.etag));
      if (l.person) {
        persons.set(`P${i}`, { ...l.person.person, id: `P${i}` });
        crm.set(`P${i}`, l.person.contact);
      }
    });
    const pairs = new Map<string, PersonForSync | null>();
    w.pairs.forEach((p, i) => {
      if (p) crm.set(`R${i}`, p.contact);
      pairs.set(`n${i}`, p ? { ...p.person, id: `R${i}` } : null);
    });
    // A contact's earlier id is one the provider no longer lists, and names one contact
    // (Google's previousResourceNames).
    const listed = new Set<string>(w.items.map((i) => i.id));
    const claimed = new Set<string>();
    const earlier = (id: string | undefined) => (id && !listed.has(id) && !claimed.has(id) ? (claimed.add(id), id) : undefined);
    const items: PulledContact[] = w.items.map((i) => ({
      id: i.id,
      etag: i.etag,
      deleted: i.deleted,
      inScope: i.inScope,
      contact: i.deleted ? EMPTY_CONTACT : i.contact,
      ...(earlier(i.previousId) ? { previousIds: [i.previousId!] } : {}),
      ...(i.stamp ? { stamp: i.stamp } : {}),
    }));
    const ctx: PlanContext = {
      direction: w.direction,
      userId: USER,
      crmContact: (p) => crm.get(p.id)!,
      crmValues: (p) => crm.get(p.id)!,
      project: (c) => c,
    };
    return {
      ctx,
      crm,
      page: {
        items,
        unreadable: w.unreadable.map((id) => ({ id, label: id, message: "bad card" })),
        links,
        pending: w.pending.map((base, i) => pendingCreate(i, base)),
        persons,
        pairs,
        taken: new Set(w.taken.map((i) => `R${i}`)),
      },
    };
  });

/** The provider ids whose link the page re-keyed to a contact's new id (no longer theirs). */
const movedAwayIds = (page: PageInput, actions: PageAction[]) =>
  new Set(of(actions, "rekey").flatMap((r) => [...page.links].filter(([, l]) => l.id === r.linkId).map(([id]) => id)));

const of = <K extends PageAction["kind"]>(actions: PageAction[], kind: K) => actions.filter((a): a is Extract<PageAction, { kind: K }> => a.kind === kind);

describe("planPage", () => {
  it("gives every live contact of the group one home: its link, an adopted create, a pair or a new person — never two", () => {
    fc.assert(
      fc.property(worldArb, ({ ctx, page }) => {
        const { actions } = planPage(ctx, page);
        const created = of(actions, "create").map((a) => a.item.id);
        const paired = of(actions, "pair").map((a) => a.item.id);
        const adopted = of(actions, "adopt").map((a) => a.providerId);
        const rekeyed = of(actions, "rekey").map((a) => a.providerId);
        const homes = [...created, ...paired, ...adopted, ...rekeyed];
        expect(new Set(homes).size).toBe(homes.length);
        const movedAway = movedAwayIds(page, actions);
        for (const item of page.items) {
          const linked = page.links.has(item.id) && !movedAway.has(item.id);
          const live = !item.deleted && item.inScope;
          const count = homes.filter((id) => id === item.id).length + (linked ? 1 : 0);
          if (live) expect(count).toBe(1);
          // A contact gone or out of the group is never brought in.
          if (!live) expect([...created, ...paired, ...adopted]).not.toContain(item.id);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("adopts each create under way at most once, pairs each person at most once and never one taken, and pairs only live persons the user owns and may edit", () => {
    fc.assert(
      fc.property(worldArb, ({ ctx, page }) => {
        const plan = planPage(ctx, page);
        expect(new Set(plan.adopted).size).toBe(plan.adopted.length);
        expect(plan.adopted.every((id) => page.pending.some((l) => l.id === id))).toBe(true);
        const pairs = of(plan.actions, "pair");
        const personIds = pairs.map((p) => p.person.id);
        expect(new Set(personIds).size).toBe(personIds.length);
        for (const p of pairs) {
          const person = page.pairs.get(p.item.id)!;
          expect(person.id).toBe(p.person.id);
          expect(page.taken.has(person.id)).toBe(false);
          expect(person.editable && !person.deletedAt && person.ownerId === USER).toBe(true);
          expect(p.providerLacks).toBe(ctx.direction === "two_way" && changedFields(p.item.contact, p.merged).length > 0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("merges only into live persons the user may edit; sends only the user's own, and one-way never; a gone contact's link is marked gone with why", () => {
    fc.assert(
      fc.property(worldArb, ({ ctx, page }) => {
        const { actions } = planPage(ctx, page);
        for (const m of of(actions, "merge")) {
          const person = [...page.persons.values()].find((p) => p.id === m.person.id)!;
          expect(person.editable && !person.deletedAt).toBe(true);
          if (m.sendable) expect(ctx.direction === "two_way" && person.ownerId === USER).toBe(true);
          // The person takes only fields where the merge differs from what it holds.
          const crm = ctx.crmContact(person);
          expect(m.crmFields.every((f) => changedFields(crm, m.merged).includes(f))).toBe(true);
        }
        const goneReasons = new Set(page.items.filter((i) => i.deleted || !i.inScope).map((i) => (i.deleted ? "deleted_at_provider" : "left_group")));
        for (const g of of(actions, "gone")) expect(goneReasons.has(g.reason)).toBe(true);
        expect(of(actions, "gone").length).toBeLessThanOrEqual(page.items.filter((i) => i.deleted || !i.inScope).length);
        // A person's writes and a link's writes each come from one contact.
        const touched = [...of(actions, "merge"), ...of(actions, "rebase")].map((a) => a.linkId);
        expect(new Set(touched).size).toBe(touched.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves alone what it has seen already: a contact as its link's base, with the same etag, is only seen", () => {
    fc.assert(
      fc.property(worldArb, ({ ctx, page }) => {
        const replay: PageInput = {
          ...page,
          items: page.items.filter((i) => page.links.has(i.id) && !i.deleted && i.inScope).map((i) => ({ ...i, contact: page.links.get(i.id)!.base, etag: page.links.get(i.id)!.etag! })),
          unreadable: [],
        };
        const { actions } = planPage(ctx, replay);
        const live = replay.items.filter((i) => page.persons.get(page.links.get(i.id)!.personId)?.deletedAt === null);
        for (const item of live) {
          const linkId = page.links.get(item.id)!.id;
          expect(actions.filter((a) => "linkId" in a && a.linkId === linkId).map((a) => a.kind)).toEqual(["seen"]);
        }
        expect(of(actions, "create")).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it("records an error for every unreadable card, and keeps its link as seen", () => {
    fc.assert(
      fc.property(worldArb, ({ ctx, page }) => {
        const { actions } = planPage(ctx, page);
        const errors = of(actions, "record").filter((r) => r.event.kind === "error");
        expect(errors.map((e) => e.event.label)).toEqual(page.unreadable.map((u) => u.label));
        const seen = new Set(of(actions, "seen").map((s) => s.linkId));
        const movedAway = movedAwayIds(page, actions);
        for (const u of page.unreadable) if (page.links.has(u.id) && !movedAway.has(u.id)) expect(seen.has(page.links.get(u.id)!.id)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
