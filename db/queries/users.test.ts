import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../client";
import { companies, persons, users } from "../schema";
import { seedDemo, type SeededDemo } from "../seed";
import { createOrganization, deleteOrganization } from "./organizations";
import { createPerson } from "./persons";
import { createRole, createUser, getViewer, setCompanyPlan, setRoleParent, updateUserSettings } from "./users";
import type { Viewer } from "./visibility";
import { testDatabases } from "@/tests/kit/databases";
import { ForbiddenError, UserError } from "@/lib/errors";
import { personInput } from "@/tests/kit/persons";

describe.each(testDatabases())("company settings and permissions on $name", ({ open }) => {
  let handle: DbHandle;
  let demo: SeededDemo;
  let admin: Viewer;
  let rep: Viewer;
  let support: Viewer;

  beforeAll(async () => {
    handle = await open();
    demo = await seedDemo(handle.db);
    admin = (await getViewer(handle.db, demo.users.admin))!;
    rep = (await getViewer(handle.db, demo.users.east))!;
    support = (await getViewer(handle.db, demo.users.support))!;
  });
  afterAll(async () => {
    await handle?.close();
  });

  const person = (visibility: string) => personInput({ firstName: "P", lastName: "Q", visibility });

  it("only global admins change the plan, roles and users", async () => {
    await expect(setCompanyPlan(handle.db, rep, "enterprise")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createRole(handle.db, rep, { name: "Rogue", parentId: null })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      updateUserSettings(handle.db, rep, rep.id, { roleId: null, isAdmin: true, canAddPersons: true, canAddOrganizations: true }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const [me] = await handle.db.select().from(users).where(eq(users.id, rep.id));
    expect(me!.isAdmin).toBe(false);
    const [company] = await handle.db.select().from(companies).where(eq(companies.id, demo.companyId));
    expect(company!.plan).toBe("professional");
  });

  it("the plan decides which visibility a new person may get", async () => {
    await expect(createPerson(handle.db, rep, person("followers"))).rejects.toThrow(/not available on your company's plan/);
    await setCompanyPlan(handle.db, admin, "essential");
    await expect(createPerson(handle.db, rep, person("owner"))).rejects.toThrow(/not available on your company's plan/);
    expect(await createPerson(handle.db, rep, person("followers"))).toMatch(/^[0-9a-f-]{36}$/);
    await setCompanyPlan(handle.db, admin, "professional");
  });

  it("permissions gate adding persons and organizations", async () => {
    await expect(createPerson(handle.db, support, person("company"))).rejects.toBeInstanceOf(ForbiddenError);
    await updateUserSettings(handle.db, admin, support.id, {
      roleId: demo.roles.support,
      isAdmin: false,
      canAddPersons: true,
      canAddOrganizations: false,
    });
    const updated = (await getViewer(handle.db, support.id))!;
    expect(await createPerson(handle.db, updated, person("company"))).toBeTruthy();
    await expect(createOrganization(handle.db, updated, { name: "X", address: null })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("deleting an organization leaves its persons, each with a new version (so sync sends the change)", async () => {
    const org = await createOrganization(handle.db, rep, { name: "Short-lived Ltd", address: null });
    const id = await createPerson(handle.db, rep, { ...person("owner"), organizationId: org });
    const [before] = await handle.db.select().from(persons).where(eq(persons.id, id));
    await deleteOrganization(handle.db, rep, org);
    const [after] = await handle.db.select().from(persons).where(eq(persons.id, id));
    expect(after).toMatchObject({ organizationId: null, version: before!.version + 1, deletedAt: null });
  });

  it("refuses a role tree cycle and keeps the last admin", async () => {
    await expect(setRoleParent(handle.db, admin, demo.roles.manager, demo.roles.east)).rejects.toThrow(/cannot sit below itself/);
    await expect(setRoleParent(handle.db, admin, demo.roles.east, demo.roles.east)).rejects.toThrow(/cannot sit below itself/);
    await expect(
      updateUserSettings(handle.db, admin, admin.id, { roleId: null, isAdmin: false, canAddPersons: true, canAddOrganizations: true }),
    ).rejects.toThrow(/at least one global admin/);
  });

  it("adds a user with a unique e-mail address", async () => {
    const settings = { roleId: demo.roles.west, isAdmin: false, canAddPersons: true, canAddOrganizations: true };
    const id = await createUser(handle.db, admin, { name: "New", email: "new@acme.test", passwordHash: "h", ...settings });
    expect((await getViewer(handle.db, id))?.roleId).toBe(demo.roles.west);
    await expect(
      createUser(handle.db, admin, { name: "Dup", email: "new@acme.test", passwordHash: "h", ...settings }),
    ).rejects.toBeInstanceOf(UserError);
  });
});
