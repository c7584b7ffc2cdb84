// What the person form offers: the company's organizations, users as owners, the visibility
// levels of the plan (plus the person's current level, so an old setting stays selectable),
// and the custom fields. What only the owner or an admin may do is offered to them alone (the
// query layer refuses it anyway): another owner, and a level that lets more people in.
import type { DB } from "@/db/client";
import { listCustomFields } from "@/db/queries/custom-fields";
import { listOrganizationChoices } from "@/db/queries/organizations";
import { getCompany, listCompanyUsers } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import type { Visibility } from "@/db/schema";
import { isWithin, VISIBILITY_HINTS, VISIBILITY_LABELS, visibilityOptionsForPlan } from "@/lib/visibility";

/** `current`: the person edited (none for a new one, which the viewer will own). */
/** What the person form offers: organizations, owners, visibilities and custom fields. */
export type PersonFormOptions = {
  organizations: { id: string; name: string }[];
  owners: { id: string; name: string }[];
  visibilities: { value: string; label: string; hint: string }[];
  customFields: { id: string; name: string; type: string }[];
};

export async function personFormOptions(db: DB, viewer: Viewer, current?: { visibility: Visibility; ownerId: string }): Promise<PersonFormOptions> {
  const [company, organizations, users, fields] = await Promise.all([
    getCompany(db, viewer),
    listOrganizationChoices(db, viewer),
    listCompanyUsers(db, viewer),
    listCustomFields(db, viewer),
  ]);
  const owner = current?.ownerId ?? viewer.id;
  // A new person is its creator's (an admin may create one for anyone); an edited one may be
  // handed over by its owner.
  const ownerDecides = viewer.isAdmin || (current !== undefined && owner === viewer.id);
  let levels = [...visibilityOptionsForPlan(company.plan)];
  if (current && !levels.includes(current.visibility)) levels.unshift(current.visibility);
  if (current && !ownerDecides) levels = levels.filter((v) => isWithin(v, current.visibility));
  return {
    organizations,
    owners: users.filter((u) => u.active && (ownerDecides || u.id === owner)).map((u) => ({ id: u.id, name: u.name })),
    visibilities: levels.map((v) => ({ value: v, label: VISIBILITY_LABELS[v], hint: VISIBILITY_HINTS[v] })),
    customFields: fields.map((f) => ({ id: f.id, name: f.name, type: f.type })),
  };
}
