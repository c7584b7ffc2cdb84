import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { OrganizationForm } from "@/components/organization-form";
import { Alert, Card, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/viewer";
import { createOrganizationAction } from "../actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("organizations"))("new") };
}

export default async function NewOrganizationPage() {
  const viewer = await requireViewer();
  const t = await getTranslations("organizations");
  return (
    <>
      <PageHeader title={t("new")} />
      {viewer.canAddOrganizations || viewer.isAdmin ? (
        <Card>
          <OrganizationForm action={createOrganizationAction} values={{ name: "", address: "" }} submitLabel={t("create")} />
        </Card>
      ) : (
        <Alert>{t("noPermission")}</Alert>
      )}
    </>
  );
}
