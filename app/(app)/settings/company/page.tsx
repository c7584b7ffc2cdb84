import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { PLANS } from "@/db/schema";
import { getCompany, listCompanyUsers, listRoles } from "@/db/queries/users";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Card, CardTitle, PageHeader } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/field";
import { PASSWORD_MIN_LENGTH } from "@/lib/password";
import { PLAN_LABELS, visibilityOptionsForPlan } from "@/lib/visibility";
import { requireViewer } from "@/lib/viewer";
import { createRoleAction, createUserAction, setPlanAction, setRoleParentAction, updateUserAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("companySettings"))("title") };
}

export default async function CompanySettingsPage() {
  const viewer = await requireViewer();
  if (!viewer.isAdmin) notFound();
  const t = await getTranslations("companySettings");
  const tv = await getTranslations("visibility");
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
      <PageHeader title={t("title")} description={company.name} />
      <div className="space-y-6">
        <Card>
          <CardTitle>{t("plan")}</CardTitle>
          <ActionForm action={setPlanAction} className="flex flex-wrap items-end gap-3" label={t("plan")}>
            <Field id="plan" label={t("plan")} className="w-56">
              <Select id="plan" name="plan" defaultValue={company.plan}>
                {PLANS.map((p) => (
                  <option key={p} value={p}>
                    {PLAN_LABELS[p]}
                  </option>
                ))}
              </Select>
            </Field>
            <Button type="submit">{t("savePlan")}</Button>
          </ActionForm>
          <p className="mt-3 text-sm text-slate-600">
            {t("planVisibilities", { visibilities: visibilityOptionsForPlan(company.plan).map((v) => tv(`label.${v}`)).join(", ") })}
          </p>
        </Card>

        <Card>
          <CardTitle>{t("roles")}</CardTitle>
          <p className="mb-4 text-sm text-slate-600">{t("rolesHelp")}</p>
          <ul className="mb-6 divide-y divide-slate-100">
            {roles.map((r) => (
              <li key={r.id} className="py-2">
                <ActionForm action={setRoleParentAction} className="flex flex-wrap items-center gap-3" label={t("roleForm", { name: r.name })}>
                  <input type="hidden" name="roleId" value={r.id} />
                  <span className="w-40 text-sm font-medium">{r.name}</span>
                  <label htmlFor={`parent-${r.id}`} className="text-sm text-slate-600">
                    {t("reportsToInline")}
                  </label>
                  <Select id={`parent-${r.id}`} name="parentId" defaultValue={r.parentId ?? ""} className="w-48">
                    <option value="">{t("topLevel")}</option>
                    {roleOptions(r.id)}
                  </Select>
                  <Button type="submit" variant="secondary">
                    {t("save")}
                  </Button>
                </ActionForm>
              </li>
            ))}
          </ul>
          <ActionForm action={createRoleAction} className="flex flex-wrap items-end gap-3" label={t("addRoleForm")}>
            <Field id="new-role-name" label={t("newRole")} className="w-56">
              <Input id="new-role-name" name="name" maxLength={80} />
            </Field>
            <Field id="new-role-parent" label={t("reportsTo")} className="w-48">
              <Select id="new-role-parent" name="parentId" defaultValue="">
                <option value="">{t("topLevel")}</option>
                {roleOptions()}
              </Select>
            </Field>
            <Button type="submit">{t("addRole")}</Button>
          </ActionForm>
        </Card>

        <Card>
          <CardTitle>{t("users")}</CardTitle>
          <ul className="divide-y divide-slate-100">
            {users.map((u) => (
              <li key={u.id} className="py-3">
                <ActionForm action={updateUserAction} className="flex flex-wrap items-center gap-x-4 gap-y-2" label={t("userForm", { name: u.name })}>
                  <input type="hidden" name="userId" value={u.id} />
                  <div className="w-56 min-w-0">
                    <p className="truncate text-sm font-medium">{u.name}</p>
                    <p className="truncate text-xs text-slate-500">
                      {u.email} · {u.roleId ? roleName.get(u.roleId) : t("noRoleInline")}
                    </p>
                  </div>
                  <label className="sr-only" htmlFor={`role-${u.id}`}>
                    {t("roleOf", { name: u.name })}
                  </label>
                  <Select id={`role-${u.id}`} name="roleId" defaultValue={u.roleId ?? ""} className="w-44">
                    <option value="">{t("noRole")}</option>
                    {roleOptions()}
                  </Select>
                  <Check name="isAdmin" label={t("globalAdmin")} checked={u.isAdmin} />
                  <Check name="canAddPersons" label={t("addPersons")} checked={u.canAddPersons} />
                  <Check name="canAddOrganizations" label={t("addOrganizations")} checked={u.canAddOrganizations} />
                  <Button type="submit" variant="secondary">
                    {t("save")}
                  </Button>
                </ActionForm>
              </li>
            ))}
          </ul>
          <h3 className="mt-6 mb-3 text-sm font-semibold">{t("addUserTitle")}</h3>
          <ActionForm action={createUserAction} className="grid gap-3 sm:grid-cols-2" label={t("addUserTitle")}>
            <Field id="new-user-name" label={t("name")}>
              <Input id="new-user-name" name="name" maxLength={120} />
            </Field>
            <Field id="new-user-email" label={t("email")}>
              <Input id="new-user-email" name="email" type="email" maxLength={254} />
            </Field>
            <Field id="new-user-password" label={t("initialPassword")} hint={t("initialPasswordHint", { min: PASSWORD_MIN_LENGTH })}>
              <Input id="new-user-password" name="password" type="password" autoComplete="new-password" />
            </Field>
            <Field id="new-user-role" label={t("role")}>
              <Select id="new-user-role" name="roleId" defaultValue="">
                <option value="">{t("noRole")}</option>
                {roleOptions()}
              </Select>
            </Field>
            <div className="flex flex-wrap gap-4 sm:col-span-2">
              <Check name="isAdmin" label={t("globalAdmin")} checked={false} />
              <Check name="canAddPersons" label={t("addPersons")} checked />
              <Check name="canAddOrganizations" label={t("addOrganizations")} checked />
            </div>
            <div className="sm:col-span-2">
              <Button type="submit">{t("addUser")}</Button>
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
