// Users, roles and the company: what sign-in and Settings > Company read and write.
// Every write here is for global admins only, checked in this layer, but a user's own language.
import { and, asc, eq, ne } from "drizzle-orm";
import type { DB } from "../client";
import { companies, roles, users, type Company, type Plan, type Role } from "../schema";
import type { Viewer } from "./visibility";
import type { Locale } from "@/lib/i18n/locales";
import { ForbiddenError, NotFoundError, UserError } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";

/** A viewer's columns, for statements that read the user along with something else. */
export const viewerColumns = {
  id: users.id,
  companyId: users.companyId,
  roleId: users.roleId,
  isAdmin: users.isAdmin,
  canAddPersons: users.canAddPersons,
  canAddOrganizations: users.canAddOrganizations,
  name: users.name,
  email: users.email,
  locale: users.locale,
};

/** The signed-in user as the rest of the app sees them, re-read on every request so that a
 * changed role or a removed permission takes effect at once. Inactive users are nobody. */
export async function getViewer(db: DB, userId: string): Promise<Viewer | null> {
  if (!isUuid(userId)) return null;
  const [row] = await db
    .select(viewerColumns)
    .from(users)
    .where(and(eq(users.id, userId), eq(users.active, true)));
  return row ?? null;
}

export async function getUserForSignIn(
  db: DB,
  email: string,
): Promise<{ id: string; companyId: string; name: string; email: string; passwordHash: string } | null> {
  const [row] = await db
    .select({ id: users.id, companyId: users.companyId, name: users.name, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, email.toLowerCase()), eq(users.active, true)));
  return row ?? null;
}

/** Whether any user exists (a new installation outside demo mode has none). */
export async function hasAnyUser(db: DB): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).limit(1);
  return row !== undefined;
}

export async function getCompany(db: DB, viewer: Viewer): Promise<Company> {
  const [row] = await db.select().from(companies).where(eq(companies.id, viewer.companyId));
  if (!row) throw new NotFoundError("yourCompany");
  return row;
}

export async function listCompanyUsers(db: DB, viewer: Viewer) {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      roleId: users.roleId,
      isAdmin: users.isAdmin,
      canAddPersons: users.canAddPersons,
      canAddOrganizations: users.canAddOrganizations,
      active: users.active,
    })
    .from(users)
    .where(eq(users.companyId, viewer.companyId))
    .orderBy(asc(users.name));
}

export async function listRoles(db: DB, viewer: Viewer): Promise<Role[]> {
  return db.select().from(roles).where(eq(roles.companyId, viewer.companyId)).orderBy(asc(roles.name));
}

function requireAdmin(viewer: Viewer): void {
  if (!viewer.isAdmin) throw new ForbiddenError("company.adminsOnly");
}

export async function setCompanyPlan(db: DB, viewer: Viewer, plan: Plan): Promise<void> {
  requireAdmin(viewer);
  await db.update(companies).set({ plan, updatedAt: new Date() }).where(eq(companies.id, viewer.companyId));
}

export async function createRole(db: DB, viewer: Viewer, input: { name: string; parentId: string | null }): Promise<string> {
  requireAdmin(viewer);
  if (input.parentId) await requireRole(db, viewer, input.parentId);
  const [existing] = await db
    .select({ id: roles.id })
    .from(roles)
    .where(and(eq(roles.companyId, viewer.companyId), eq(roles.name, input.name)));
  if (existing) throw new UserError("company.roleTaken", { values: { name: input.name }, fields: { name: "field.alreadyTaken" } });
  const [row] = await db
    .insert(roles)
    .values({ companyId: viewer.companyId, name: input.name, parentId: input.parentId })
    .returning({ id: roles.id });
  if (!row) throw new Error("insert returned no row");
  return row.id;
}

async function requireRole(db: DB, viewer: Viewer, roleId: string): Promise<Role> {
  if (!isUuid(roleId)) throw new NotFoundError("thatRole");
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.id, roleId), eq(roles.companyId, viewer.companyId)));
  if (!row) throw new NotFoundError("thatRole");
  return row;
}

/** Re-parents a role, refusing a move that would make the tree a cycle. */
export async function setRoleParent(db: DB, viewer: Viewer, roleId: string, parentId: string | null): Promise<void> {
  requireAdmin(viewer);
  await requireRole(db, viewer, roleId);
  if (parentId) {
    await requireRole(db, viewer, parentId);
    const all = await listRoles(db, viewer);
    const parentOf = new Map(all.map((r) => [r.id, r.parentId]));
    for (let at: string | null | undefined = parentId; at; at = parentOf.get(at)) {
      if (at === roleId) throw new UserError("company.roleCycle", { fields: { parentId: "field.wouldMakeCycle" } });
    }
  }
  await db.update(roles).set({ parentId, updatedAt: new Date() }).where(eq(roles.id, roleId));
}

export type UserSettingsInput = {
  roleId: string | null;
  isAdmin: boolean;
  canAddPersons: boolean;
  canAddOrganizations: boolean;
};

export async function updateUserSettings(db: DB, viewer: Viewer, userId: string, input: UserSettingsInput): Promise<void> {
  requireAdmin(viewer);
  if (!isUuid(userId)) throw new NotFoundError("thatUser");
  if (input.roleId) await requireRole(db, viewer, input.roleId);
  if (userId === viewer.id && !input.isAdmin) {
    const [otherAdmin] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.companyId, viewer.companyId), eq(users.isAdmin, true), ne(users.id, viewer.id)));
    if (!otherAdmin) throw new UserError("company.lastAdmin", { fields: { isAdmin: "field.lastAdmin" } });
  }
  const updated = await db
    .update(users)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(users.id, userId), eq(users.companyId, viewer.companyId)))
    .returning({ id: users.id });
  if (updated.length === 0) throw new NotFoundError("thatUser");
}

export async function createUser(
  db: DB,
  viewer: Viewer,
  input: { name: string; email: string; passwordHash: string } & UserSettingsInput,
): Promise<string> {
  requireAdmin(viewer);
  if (input.roleId) await requireRole(db, viewer, input.roleId);
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
  if (taken) throw new UserError("company.emailTaken", { fields: { email: "field.alreadyInUse" } });
  const [row] = await db
    .insert(users)
    .values({ companyId: viewer.companyId, ...input })
    .returning({ id: users.id });
  if (!row) throw new Error("insert returned no row");
  return row.id;
}

/** The viewer's own interface language (null: the browser's). Only ever their own row. */
export async function setOwnLocale(db: DB, viewer: Viewer, locale: Locale | null): Promise<void> {
  await db.update(users).set({ locale, updatedAt: new Date() }).where(eq(users.id, viewer.id));
}
