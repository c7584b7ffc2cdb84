// Organizations are visible to everyone in their company; adding one needs the permission.
import { and, asc, count, eq, ilike, sql } from "drizzle-orm";
import type { DB } from "../client";
import { organizations, users } from "../schema";
import { detachOrganization } from "./person-writes";
import type { Viewer } from "./visibility";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";

export async function listOrganizations(db: DB, viewer: Viewer, opts: { q?: string; page?: number; pageSize?: number } = {}) {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 25, 1), 100);
  const page = Math.max(opts.page ?? 1, 1);
  const q = opts.q?.trim();
  const where = and(
    eq(organizations.companyId, viewer.companyId),
    q ? ilike(organizations.name, `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: organizations.id,
        name: organizations.name,
        address: organizations.address,
        ownerName: users.name,
        persons: sql<number>`(select count(*)::int from persons p where p.organization_id = ${organizations.id} and p.deleted_at is null)`,
      })
      .from(organizations)
      .innerJoin(users, eq(users.id, organizations.ownerId))
      .where(where)
      .orderBy(asc(sql`lower(${organizations.name})`), asc(organizations.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: count() }).from(organizations).where(where),
  ]);
  return { rows, total: total?.n ?? 0, page, pageSize };
}

export async function listOrganizationChoices(db: DB, viewer: Viewer): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.companyId, viewer.companyId))
    .orderBy(asc(sql`lower(${organizations.name})`))
    .limit(1000);
}

export async function getOrganizationById(db: DB, viewer: Viewer, id: string) {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      address: organizations.address,
      ownerId: organizations.ownerId,
      ownerName: users.name,
      createdAt: organizations.createdAt,
    })
    .from(organizations)
    .innerJoin(users, eq(users.id, organizations.ownerId))
    .where(and(eq(organizations.id, id), eq(organizations.companyId, viewer.companyId)));
  return row ?? null;
}

export async function createOrganization(db: DB, viewer: Viewer, input: { name: string; address: string | null }): Promise<string> {
  if (!viewer.canAddOrganizations && !viewer.isAdmin) {
    throw new ForbiddenError("organizations.noAddPermission");
  }
  const [row] = await db
    .insert(organizations)
    .values({ companyId: viewer.companyId, name: input.name, address: input.address, ownerId: viewer.id })
    .returning({ id: organizations.id });
  if (!row) throw new Error("insert returned no row");
  return row.id;
}

export async function updateOrganization(
  db: DB,
  viewer: Viewer,
  id: string,
  input: { name: string; address: string | null },
): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("thisOrganization");
  const org = await getOrganizationById(db, viewer, id);
  if (!org) throw new NotFoundError("thisOrganization");
  if (!mayChangeOrganization(viewer, org)) {
    throw new ForbiddenError("organizations.mayNotChange");
  }
  const updated = await db
    .update(organizations)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(organizations.id, id), eq(organizations.companyId, viewer.companyId)))
    .returning({ id: organizations.id });
  if (updated.length === 0) throw new NotFoundError("thisOrganization");
}

/** Organizations are seen by the whole company; changing one is for its owner, global admins and
 * users who may add organizations (deleting it, for its owner and global admins). */
function mayChangeOrganization(viewer: Viewer, org: { ownerId: string }): boolean {
  return viewer.isAdmin || org.ownerId === viewer.id || viewer.canAddOrganizations;
}

export async function deleteOrganization(db: DB, viewer: Viewer, id: string): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("thisOrganization");
  const org = await getOrganizationById(db, viewer, id);
  if (!org) throw new NotFoundError("thisOrganization");
  if (!viewer.isAdmin && org.ownerId !== viewer.id) {
    throw new ForbiddenError("organizations.mayNotDelete");
  }
  await db.transaction(async (tx) => {
    await detachOrganization(tx, id);
    await tx.delete(organizations).where(eq(organizations.id, id));
  });
}
