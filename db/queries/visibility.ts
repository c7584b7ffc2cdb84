// The visibility predicate: the one place that decides which persons a viewer may see, and so
// read, edit, delete, follow or count. Every persons query composes it; no page builds its own.
//
// A viewer sees a person of their own company when any of these holds:
//   - the viewer is a global admin;
//   - the viewer owns the person;
//   - visibility "company";
//   - visibility "followers" and the viewer follows the person;
//   - visibility "group" and the owner has the viewer's role;
//   - visibility "group_subgroups" and the owner's role is the viewer's role or one of its
//     ancestors (the viewer sits in the owner's group or below it).
import { and, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Locale } from "@/lib/i18n/locales";
import { persons } from "../schema";

export type Viewer = {
  id: string;
  companyId: string;
  roleId: string | null;
  isAdmin: boolean;
  canAddPersons: boolean;
  canAddOrganizations: boolean;
  name: string;
  email: string;
  /** The interface's language, when the user chose one (else the browser's). */
  locale?: Locale | null;
};

/** Live persons the viewer may see, and so read and edit. */
export function visiblePersonsWhere(viewer: Viewer): SQL {
  return and(isNull(persons.deletedAt), personAccessWhere(viewer)) as SQL;
}

/** The rule itself, whether the person is live or in the trash: a deleted person may be
 * restored by whoever could see it before it was deleted. */
export function personAccessWhere(viewer: Viewer): SQL {
  const company = eq(persons.companyId, viewer.companyId);
  if (viewer.isAdmin) return company;

  const rules: SQL[] = [
    eq(persons.ownerId, viewer.id),
    eq(persons.visibility, "company"),
    sql`(${persons.visibility} = 'followers' and exists (
      select 1 from person_followers f where f.person_id = ${persons.id} and f.user_id = ${viewer.id}))`,
  ];
  if (viewer.roleId) {
    rules.push(
      sql`(${persons.visibility} = 'group' and ${persons.ownerId} in (
        select u.id from users u where u.role_id = ${viewer.roleId}))`,
      sql`(${persons.visibility} = 'group_subgroups' and ${persons.ownerId} in (
        select u.id from users u where u.role_id in (
          with recursive ancestors(id, parent_id) as (
            select r.id, r.parent_id from roles r where r.id = ${viewer.roleId}
            union
            select r.id, r.parent_id from roles r join ancestors a on r.id = a.parent_id
          ) select id from ancestors)))`,
    );
  }
  return and(company, or(...rules)) as SQL;
}
