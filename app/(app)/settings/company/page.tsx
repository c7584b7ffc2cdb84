import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { PLANS } from "@/db/schema";
import { getCompany, listCompanyUsers, listRoles } from "@/db/queries/users";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Card, CardTitle, PageHeader } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/field";
import { PLAN_LABELS, VISIBILITY_LABELS, visibilityOptionsForPlan } from "@/lib/visibility";
import { requireViewer } from "@/lib/viewer";
import { createRoleAction, createUserAction, setPlanAction, setRoleParentAction, updateUserAction } from "./actions";

export const metadata: Metadata = { title: "Company settings" };

export default async function CompanySettingsPage() {
  const viewer = await requireViewer();
  if (!viewer.isAdmin) notFound();
  const db = await getDb();
  const [company, roles, users] = await Promise.all([getCompany(db, viewer), listRoles(db, viewer), listCompanyUsers(db, viewer)]);
  const roleName = new Map(roles.map((r) => [r.id, r.name]));
  const roleOptions = (exclude?: string) =>
    roles
      .filter((r) => r.id !== exclude)
      .map((r) => (
        <option key={r.id} value={r.id}>
          {r.name}
        </option>
      ));

  return (
    <>
      <PageHeader title="Company settings" description={company.name} />
      <div className="space-y-6">
        <Card>
          <CardTitle>Plan</CardTitle>
          <ActionForm action={setPlanAction} className="flex flex-wrap items-end gap-3" label="Plan">
            <Field id="plan" label="Plan" className="w-56">
              <Select id="plan" name="plan" defaultValue={company.plan}>
                {PLANS.map((p) => (
                  <option key={p} value={p}>
                    {PLAN_LABELS[p]}
                  </option>
                ))}
              </Select>
            </Field>
            <Button type="submit">Save plan</Button>
          </ActionForm>
          <p className="mt-3 text-sm text-slate-600">
            Visibility choices on this plan: {visibilityOptionsForPlan(company.plan).map((v) => VISIBILITY_LABELS[v]).join(", ")}.
          </p>
        </Card>

        <Card>
          <CardTitle>Roles</CardTitle>
          <p className="mb-4 text-sm text-slate-600">
            Roles form a tree. A user&apos;s visibility group is everyone with the same role; sub-groups are the roles below it.
          </p>
          <ul className="mb-6 divide-y divide-slate-100">
            {roles.map((r) => (
              <li key={r.id} className="py-2">
                <ActionForm action={setRoleParentAction} className="flex flex-wrap items-center gap-3" label={`Role ${r.name}`}>
                  <input type="hidden" name="roleId" value={r.id} />
                  <span className="w-40 text-sm font-medium">{r.name}</span>
                  <label htmlFor={`parent-${r.id}`} className="text-sm text-slate-600">
                    reports to
                  </label>
                  <Select id={`parent-${r.id}`} name="parentId" defaultValue={r.parentId ?? ""} className="w-48">
                    <option value="">(top level)</option>
                    {roleOptions(r.id)}
                  </Select>
                  <Button type="submit" variant="secondary">
                    Save
                  </Button>
                </ActionForm>
              </li>
            ))}
          </ul>
          <ActionForm action={createRoleAction} className="flex flex-wrap items-end gap-3" label="Add a role">
            <Field id="new-role-name" label="New role" className="w-56">
              <Input id="new-role-name" name="name" maxLength={80} />
            </Field>
            <Field id="new-role-parent" label="Reports to" className="w-48">
              <Select id="new-role-parent" name="parentId" defaultValue="">
                <option value="">(top level)</option>
                {roleOptions()}
              </Select>
            </Field>
            <Button type="submit">Add role</Button>
          </ActionForm>
        </Card>

        <Card>
          <CardTitle>Users and permissions</CardTitle>
          <ul className="divide-y divide-slate-100">
            {users.map((u) => (
              <li key={u.id} className="py-3">
                <ActionForm action={updateUserAction} className="flex flex-wrap items-center gap-x-4 gap-y-2" label={`User ${u.name}`}>
                  <input type="hidden" name="userId" value={u.id} />
                  <div className="w-56 min-w-0">
                    <p className="truncate text-sm font-medium">{u.name}</p>
                    <p className="truncate text-xs text-slate-500">
                      {u.email} · {u.roleId ? roleName.get(u.roleId) : "no role"}
                    </p>
                  </div>
                  <label className="sr-only" htmlFor={`role-${u.id}`}>
                    Role of {u.name}
                  </label>
                  <Select id={`role-${u.id}`} name="roleId" defaultValue={u.roleId ?? ""} className="w-44">
                    <option value="">No role</option>
                    {roleOptions()}
                  </Select>
                  <Check name="isAdmin" label="Global admin" checked={u.isAdmin} />
                  <Check name="canAddPersons" label="Add persons" checked={u.canAddPersons} />
                  <Check name="canAddOrganizations" label="Add organizations" checked={u.canAddOrganizations} />
                  <Button type="submit" variant="secondary">
                    Save
                  </Button>
                </ActionForm>
              </li>
            ))}
          </ul>
          <h3 className="mt-6 mb-3 text-sm font-semibold">Add a user</h3>
          <ActionForm action={createUserAction} className="grid gap-3 sm:grid-cols-2" label="Add a user">
            <Field id="new-user-name" label="Name">
              <Input id="new-user-name" name="name" maxLength={120} />
            </Field>
            <Field id="new-user-email" label="E-mail">
              <Input id="new-user-email" name="email" type="email" maxLength={254} />
            </Field>
            <Field id="new-user-password" label="Initial password" hint="At least 8 characters; share it privately.">
              <Input id="new-user-password" name="password" type="password" autoComplete="new-password" />
            </Field>
            <Field id="new-user-role" label="Role">
              <Select id="new-user-role" name="roleId" defaultValue="">
                <option value="">No role</option>
                {roleOptions()}
              </Select>
            </Field>
            <div className="flex flex-wrap gap-4 sm:col-span-2">
              <Check name="isAdmin" label="Global admin" checked={false} />
              <Check name="canAddPersons" label="Add persons" checked />
              <Check name="canAddOrganizations" label="Add organizations" checked />
            </div>
            <div className="sm:col-span-2">
              <Button type="submit">Add user</Button>
            </div>
          </ActionForm>
        </Card>
      </div>
    </>
  );
}

function Check({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  return (
    <label className="inline-flex items-center gap-2 text-sm text-slate-700">
      <input type="checkbox" name={name} defaultChecked={checked} className="h-4 w-4 rounded border-slate-300 accent-brand-600" />
      {label}
    </label>
  );
}
