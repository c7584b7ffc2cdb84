// Two-way finds what to send through sync_links.crm_changed, not by reading every link: every
// person write must mark the person's links, and listing what changed must clear only the marks
// of links that match their person again.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../client";
import { persons, syncLinks } from "../schema";
import { seedDemo, type SeededDemo } from "../seed";
import { createOrganization, deleteOrganization } from "./organizations";
import { createPerson, deletePerson, getPersonById, updatePerson } from "./persons";
import { asConnection, restorePersons, updateManyPersonValues } from "./person-writes";
import { listChangedOwnedLinks } from "./sync/persons";
import { getViewer } from "./users";
import type { Viewer } from "./visibility";
import { createConnection } from "@/lib/sync/accounts/connections";
import { testDatabases } from "@/tests/kit/databases";
import { personInput } from "@/tests/kit/persons";
import { EMPTY_CONTACT } from "@/lib/sync/model/contact";

describe.each(testDatabases())("changed persons found by their links' marks on $name", ({ open }) => {
  let handle: DbHandle;
  let demo: SeededDemo;
  let east: Viewer;
  let connectionId: string;
  let n = 0;

  beforeAll(async () => {
    handle = await open();
    demo = await seedDemo(handle.db);
    east = (await getViewer(handle.db, demo.users.east))!;
    connectionId = await createConnection(handle.db, {
      companyId: demo.companyId,
      userId: east.id,
      provider: "google",
      accountEmail: "marks@example.com",
      tokens: { accessToken: "unused" },
      groupId: "contactGroups/x",
      direction: "two_way",
      visibility: "owner",
    });
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** A person of east's, linked and in step with its link (no mark). */
  async function linked(orgId: string | null = null): Promise<string> {
    const id = await createPerson(handle.db, east, personInput({ firstName: "Mark", lastName: `Ed${++n}`, visibility: "owner", organizationId: orgId }));
    const [p] = await handle.db.select({ version: persons.version }).from(persons).where(eq(persons.id, id));
    await handle.db.insert(syncLinks).values({ connectionId, personId: id, providerId: `people/c${n}`, base: EMPTY_CONTACT, crmVersion: p!.version });
    return id;
  }
  const marked = async (ids: string[]) =>
    (await handle.db.select({ personId: syncLinks.personId, changed: syncLinks.crmChanged }).from(syncLinks).where(inArray(syncLinks.personId, ids)))
      .filter((r) => r.changed)
      .map((r) => r.personId)
      .sort();

  it("every write of a person marks its links: an edit, an edit by the engine, the trash, a restore, its organization deleted", async () => {
    const org = await createOrganization(handle.db, east, { name: `Marks ${n} Ltd`, address: null });
    const [edited, engine, trashed, restored, detached, untouched] = [await linked(), await linked(), await linked(), await linked(), await linked(org), await linked()];
    expect(await marked([edited, engine, trashed, restored, detached, untouched])).toEqual([]);

    const p = (await getPersonById(handle.db, east, edited))!;
    await updatePerson(handle.db, east, edited, { ...personInput({ firstName: "Mark", lastName: "Changed", visibility: p.visibility }), ownerId: p.ownerId }, p.version);
    const e = (await getPersonById(handle.db, east, engine))!;
    await updateManyPersonValues(handle.db, asConnection(connectionId, east), [
      { id: engine, version: e.version, values: { firstName: "By", lastName: "Engine", emails: [], phones: [], address: null, organizationId: null, customFields: {}, searchText: "by engine" } },
    ]);
    await deletePerson(handle.db, east, trashed);
    await deletePerson(handle.db, east, restored);
    await handle.db.update(syncLinks).set({ crmChanged: false }).where(eq(syncLinks.personId, restored));
    await restorePersons(handle.db, asConnection(connectionId, east), [restored]);
    await deleteOrganization(handle.db, east, org);

    expect(await marked([edited, engine, trashed, restored, detached, untouched])).toEqual([edited, engine, trashed, restored, detached].sort());
  });

  it("listing what changed returns the owned persons that differ and clears only the marks of links in step again", async () => {
    const [changed, inStep, notMine] = [await linked(), await linked(), await linked()];
    const p = (await getPersonById(handle.db, east, changed))!;
    await updatePerson(handle.db, east, changed, { ...personInput({ firstName: "Mark", lastName: "Sent", visibility: p.visibility }), ownerId: p.ownerId }, p.version);
    // Marked, but the link was brought in step (as a pull that applied the write does).
    await handle.db.update(syncLinks).set({ crmChanged: true }).where(eq(syncLinks.personId, inStep));
    // Changed, then given to another user: not east's to send (a change of owner marks it again).
    const q = (await getPersonById(handle.db, east, notMine))!;
    await updatePerson(handle.db, east, notMine, { ...personInput({ firstName: "Mark", lastName: "Theirs", visibility: "company" }), ownerId: demo.users.west }, q.version);

    const found = await listChangedOwnedLinks(handle.db, asConnection(connectionId, east), connectionId);
    expect(found.map((r) => r.person.id).filter((id) => [changed, inStep, notMine].includes(id))).toEqual([changed]);
    // The one to send keeps its mark until it is in step; the others are cleared.
    expect(await marked([changed, inStep, notMine])).toEqual([changed]);
    expect((await listChangedOwnedLinks(handle.db, asConnection(connectionId, east), connectionId)).map((r) => r.person.id)).toContain(changed);
  });
});
