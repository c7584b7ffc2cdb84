// What the person form offers: the company's organizations, users as owners, the visibility
// levels of the plan (plus the person's current level, so an old setting stays selectable),
// and the custom fields.
import type { DB } from "@/db/client";
import { listCustomFields } from "@/db/queries/custom-fields";
import { listOrganizationChoices } from "@/db/queries/organizations";
import { getCompany, listCompanyUsers } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import type { Visibility } from "@/db/schema";
import type { PersonFormOptions } from "@/components/person-form";
import { VISIBILITY_HINTS, VISIBILITY_LABELS, visibilityOptionsForPlan } from "@/lib/visibility";

export async function personFormOptions(db: DB, viewer: Viewer, current?: Visibility): Promise<PersonFormOptions> {
  const [company, organizations, users, fields] = await Promise.all([
    getCompany(db, viewer),
    listOrganizationChoices(db, viewer),
    listCompanyUsers(db, viewer),
    listCustomFields(db, viewer),
  ]);
  const levels = [...visibilityOptionsForPlan(company.plan)];
  if (current && !levels.includes(current)) levels.unshift(current);
  return {
    organizations,
    owners: users.filter((u) => u.active).map((u) => ({ id: u.id, name: u.name })),
    visibilities: levels.map((v) => ({ value: v, label: VISIBILITY_LABELS[v], hint: VISIBILITY_HINTS[v] })),
    customFields: fields.map((f) => ({ id: f.id, name: f.name, type: f.type })),
  };
}
