// The visibility matrix: every level × every kind of viewer × every action, against real data
// in a real Postgres engine (PGlite, and a server when TEST_DATABASE_URL is set).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { DbHandle } from "../client";
import { companies, personFollowers, persons, roles, users, type Visibility } from "../schema";
import { seedDemo, type SeededDemo } from "../seed";
import {
  countVisiblePersons,
  createPerson,
  deletePerson,
  getPersonById,
  listPersons,
  TOTAL_CAP,
  setFollowing,
  updatePerson,
} from "./persons";
import { asConnection, asUser, restorePersons, softDeletePersons, updatePersonValues } from "./person-writes";
import { getViewer } from "./users";
import type { Viewer } from "./visibility";
import { testDatabases } from "@/tests/kit/databases";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { personSearchText } from "@/lib/persons/input";
import { personInput } from "@/tests/kit/persons";

type ViewerKind = "owner" | "follower" | "sameRole" | "subRole" | "parentRole" | "unrelated" | "admin";
/** "sync …": the same write made by a sync connection acting for the viewer (the engine's path).
 * "widen": an edit that lets the whole company see the person; "give away": one that makes
 * another user its owner — both the owner's decision (or an admin's). */
type Action = "list" | "view" | "edit" | "delete" | "sync update" | "sync delete" | "sync restore" | "widen" | "give away";

// Owner: a rep in "Sales East" (below "Sales Manager"). The matrix below is the specification.
const EXPECTED: Record<Visibility, Record<ViewerKind, boolean>> = {
  owner: { owner: true, follower: false, sameRole: false, subRole: false, parentRole: false, unrelated: false, admin: true },
  group: { owner: true, follower: false, sameRole: true, subRole: false, parentRole: false, unrelated: false, admin: true },
  group_subgroups: { owner: true, follower: false, sameRole: true, subRole: true, parentRole: false, unrelated: false, admin: true },
  followers: { owner: true, follower: true, sameRole: false, subRole: false, parentRole: false, unrelated: false, admin: true },
  company: { owner: true, follower: true, sameRole: true, subRole: true, parentRole: true, unrelated: true, admin: true },
};
const KINDS = Object.keys(EXPECTED.owner) as ViewerKind[];
const LEVELS = Object.keys(EXPECTED) as Visibility[];
const ACTIONS: Action[] = ["list", "view", "edit", "delete", "sync update", "sync delete", "sync restore", "widen", "give away"];
const OWNER_DECIDES: Action[] = ["widen", "give away"];

function expected(level: Visibility, kind: ViewerKind, action: Action): boolean {
  return EXPECTED[level][kind] && (!OWNER_DECIDES.includes(action) || kind === "owner" || kind === "admin");
}
/** The connection the "sync" actions act through (a label: writes never read it). */
const CONNECTION = "00000000-0000-4000-8000-00000000c0de";

describe.each(testDatabases())("visibility on $name", ({ open }) => {
  let handle: DbHandle;
  let demo: SeededDemo;
  const viewers = {} as Record<ViewerKind, Viewer>;
  let otherCompanyViewer: Viewer;

  beforeAll(async () => {
    handle = await open();
    const db = handle.db;
    demo = await seedDemo(db);
    // Extra users to fill every cell: a second rep in Sales East, a role below Sales East,
    // and a follower in an unrelated role.
    const [eastJunior] = await db
      .insert(roles)
      .values({ companyId: demo.companyId, name: "East Junior", parentId: demo.roles.east })
      .returning({ id: roles.id });
    const mk = async (name: string, roleId: string | null) => {
      const [u] = await db
        .insert(users)
        .values({ companyId: demo.companyId, name, email: `${name}@matrix.test`, passwordHash: "x", roleId })
        .returning({ id: users.id });
      return (await getViewer(db, u!.id))!;
    };
    viewers.owner = (await getViewer(db, demo.users.east))!;
    viewers.sameRole = await mk("east2", demo.roles.east);
    viewers.subRole = await mk("junior", eastJunior!.id);
    viewers.parentRole = (await getViewer(db, demo.users.manager))!;
    viewers.follower = await mk("follower", demo.roles.support);
    viewers.unrelated = (await getViewer(db, demo.users.west))!;
    viewers.admin = (await getViewer(db, demo.users.admin))!;
    // A global admin of another company must never see anything of this one.
    const [company2] = await db.insert(companies).values({ name: "Other Co", plan: "enterprise" }).returning({ id: companies.id });
    const [outsider] = await db
      .insert(users)
      .values({ companyId: company2!.id, name: "Outsider", email: "outsider@other.test", passwordHash: "x", isAdmin: true })
      .returning({ id: users.id });
    otherCompanyViewer = (await getViewer(db, outsider!.id))!;
  });

  afterAll(async () => {
    await handle?.close();
  });

  async function personAt(level: Visibility): Promise<string> {
    const lastName = `${level}-${Math.random().toString(36).slice(2)}`;
    const [p] = await handle.db
      .insert(persons)
      .values({
        companyId: demo.companyId,
        firstName: "Matrix",
        lastName,
        ownerId: viewers.owner.id,
        visibility: level,
        searchText: personSearchText({ firstName: "Matrix", lastName, emails: [], phones: [] }),
      })
      .returning({ id: persons.id, lastName: persons.lastName });
    await handle.db.insert(personFollowers).values({ personId: p!.id, userId: viewers.follower.id });
    return p!.id;
  }

  async function attempt(action: Action, viewer: Viewer, id: string): Promise<boolean> {
    const db = handle.db;
    const [row] = await db.select({ lastName: persons.lastName }).from(persons).where(eq(persons.id, id));
    switch (action) {
      case "list": {
        const { rows } = await listPersons(db, viewer, { q: row!.lastName, pageSize: 100 });
        return rows.some((r) => r.id === id);
      }
      case "view":
        return (await getPersonById(db, viewer, id)) !== null;
      case "sync update":
        return (await updatePersonValues(db, asConnection(CONNECTION, viewer), { id, version: 1, values: { firstName: "Edited" } })) !== null;
      case "sync delete":
        return (await softDeletePersons(db, asConnection(CONNECTION, viewer), [id])).length === 1;
      case "sync restore":
        // Moved to the trash by someone who may (an admin), then restored by the connection.
        expect((await softDeletePersons(db, asUser(viewers.admin), [id])).map((p) => p.id)).toEqual([id]);
        return (await restorePersons(db, asConnection(CONNECTION, viewer), [id])).length === 1;
      case "edit":
      case "widen":
      case "give away":
      case "delete":
        try {
          if (action === "delete") {
            await deletePerson(db, viewer, id);
          } else {
            const [current] = await db.select({ visibility: persons.visibility, ownerId: persons.ownerId }).from(persons).where(eq(persons.id, id));
            const input = personInput({ firstName: "Edited", lastName: row!.lastName, visibility: action === "widen" ? "company" : current!.visibility });
            await updatePerson(db, viewer, id, { ...input, ownerId: action === "give away" ? viewers.unrelated.id : current!.ownerId });
          }
          return true;
        } catch (error) {
          if (error instanceof NotFoundError || error instanceof ForbiddenError) return false;
          throw error;
        }
    }
  }

  for (const level of LEVELS) {
    for (const kind of KINDS) {
      for (const action of ACTIONS) {
        // The entire company is as wide as it gets.
        if (level === "company" && action === "widen") continue;
        const allowed = expected(level, kind, action);
        it(`${level}: ${kind} ${allowed ? "may" : "may not"} ${action}`, async () => {
          const id = await personAt(level);
          expect(await attempt(action, viewers[kind], id)).toBe(allowed);
          // A refused write changes nothing (a refused restore leaves the person in the trash).
          const [after] = await handle.db.select().from(persons).where(eq(persons.id, id));
          if (!allowed) {
            expect(after!.firstName).toBe("Matrix");
            expect(after!.deletedAt === null).toBe(action !== "sync restore");
            expect(after!.version).toBe(action === "sync restore" ? 2 : 1);
          }
          expect(await attempt("view", otherCompanyViewer, id)).toBe(false);
        });
      }
    }
  }

  it("an editor who does not own a person may narrow who sees it, but not widen it", async () => {
    const id = await personAt("group_subgroups");
    const input = (visibility: Visibility) => personInput({ firstName: "Matrix", lastName: "Narrowed", visibility });
    await expect(updatePerson(handle.db, viewers.sameRole, id, { ...input("company"), ownerId: viewers.owner.id })).rejects.toBeInstanceOf(ForbiddenError);
    await updatePerson(handle.db, viewers.sameRole, id, { ...input("group"), ownerId: viewers.owner.id });
    await expect(updatePerson(handle.db, viewers.sameRole, id, { ...input("group_subgroups"), ownerId: viewers.owner.id })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await handle.db.select({ v: persons.visibility }).from(persons).where(eq(persons.id, id)))[0]!.v).toBe("group");
  });

  it("a new person is the creator's: only an admin creates one owned by another user", async () => {
    const mine = await createPerson(handle.db, viewers.sameRole, { ...personInput({ firstName: "Mine", lastName: "Created" }), ownerId: viewers.sameRole.id });
    expect((await handle.db.select({ o: persons.ownerId }).from(persons).where(eq(persons.id, mine)))[0]!.o).toBe(viewers.sameRole.id);
    await expect(createPerson(handle.db, viewers.sameRole, { ...personInput({ firstName: "Pushed", lastName: "Onto" }), ownerId: viewers.unrelated.id })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await handle.db.select().from(persons).where(eq(persons.lastName, "Onto"))).toEqual([]);
    const given = await createPerson(handle.db, viewers.admin, { ...personInput({ firstName: "Given", lastName: "Away" }), ownerId: viewers.unrelated.id });
    expect((await handle.db.select({ o: persons.ownerId }).from(persons).where(eq(persons.id, given)))[0]!.o).toBe(viewers.unrelated.id);
  });

  it("counts only what the viewer may see", async () => {
    const unrelatedCount = await countVisiblePersons(handle.db, viewers.unrelated);
    const { total } = await listPersons(handle.db, viewers.unrelated, {});
    expect(unrelatedCount).toBe(total);
    const adminCount = await countVisiblePersons(handle.db, viewers.admin);
    expect(adminCount).toBeGreaterThan(unrelatedCount);
  });

  it("follow and unfollow are refused on a person the viewer cannot see", async () => {
    const id = await personAt("owner");
    await expect(setFollowing(handle.db, viewers.unrelated, id, true)).rejects.toBeInstanceOf(NotFoundError);
    const followers = await handle.db.select().from(personFollowers).where(eq(personFollowers.personId, id));
    expect(followers.map((f) => f.userId)).toEqual([viewers.follower.id]);
  });

  it("a deleted person is gone from every path, admin included", async () => {
    const id = await personAt("company");
    await deletePerson(handle.db, viewers.owner, id);
    expect(await getPersonById(handle.db, viewers.admin, id)).toBeNull();
    await expect(deletePerson(handle.db, viewers.admin, id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe.each(testDatabases())("persons list totals on $name", ({ open }) => {
  let handle: DbHandle;
  let viewer: Viewer;

  beforeAll(async () => {
    handle = await open();
    const [company] = await handle.db.insert(companies).values({ name: "Big Co", plan: "enterprise" }).returning({ id: companies.id });
    const [user] = await handle.db
      .insert(users)
      .values({ companyId: company!.id, name: "Rep", email: "rep@big.test", passwordHash: "x" })
      .returning({ id: users.id });
    viewer = (await getViewer(handle.db, user!.id))!;
    const rows = Array.from({ length: TOTAL_CAP + 30 }, (_, i) => {
      const lastName = `Cap${String(i).padStart(4, "0")}`;
      return { companyId: company!.id, firstName: "Many", lastName, ownerId: user!.id, searchText: personSearchText({ firstName: "Many", lastName, emails: [], phones: [] }) };
    });
    for (let i = 0; i < rows.length; i += 500) await handle.db.insert(persons).values(rows.slice(i, i + 500));
  });

  afterAll(async () => {
    await handle?.close();
  });

  it("counts up to the cap, then says there are more; far pages still know whether a next one exists", async () => {
    expect(await listPersons(handle.db, viewer, {})).toMatchObject({ total: TOTAL_CAP, totalIsLowerBound: true });
    const last = Math.ceil((TOTAL_CAP + 30) / 25);
    const beforeLast = await listPersons(handle.db, viewer, { page: last - 1 });
    expect(beforeLast.totalIsLowerBound).toBe(true);
    const end = await listPersons(handle.db, viewer, { page: last });
    expect(end).toMatchObject({ total: TOTAL_CAP + 30, totalIsLowerBound: false });
    expect(end.rows.map((r) => r.lastName)).toEqual(Array.from({ length: 5 }, (_, i) => `Cap${TOTAL_CAP + 25 + i}`));
    // A search below the cap is counted exactly.
    expect(await listPersons(handle.db, viewer, { q: "cap00" })).toMatchObject({ total: 100, totalIsLowerBound: false });
  });
});
