import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { getOrganizationById } from "@/db/queries/organizations";
import { listVisiblePersonsOfOrganization } from "@/db/queries/persons";
import { OrganizationForm } from "@/components/organization-form";
import { ActionButton } from "@/components/ui/action-button";
import { Card, CardTitle, PageHeader } from "@/components/ui/card";
import { personDisplayName } from "@/lib/persons/display";
import { requireViewer } from "@/lib/viewer";
import { deleteOrganizationAction, updateOrganizationAction } from "../actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("organizations"))("one") };
}

export default async function OrganizationPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const t = await getTranslations("organizations");
  const { id } = await params;
  const db = await getDb();
  const org = await getOrganizationById(db, viewer, id);
  if (!org) notFound();
  const people = await listVisiblePersonsOfOrganization(db, viewer, org.id);
  return (
    <>
      <PageHeader
        title={org.name}
        description={t("ownedBy", { owner: org.ownerName })}
        actions={
          viewer.isAdmin || viewer.id === org.ownerId ? (
            <ActionButton
              action={deleteOrganizationAction}
              fields={{ id: org.id }}
              variant="danger"
              confirm={t("deleteConfirm", { name: org.name })}
            >
              {t("delete")}
            </ActionButton>
          ) : null
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardTitle>{t("details")}</CardTitle>
          <OrganizationForm action={updateOrganizationAction} values={{ id: org.id, name: org.name, address: org.address ?? "" }} submitLabel={t("save")} />
        </Card>
        <Card>
          <CardTitle>{t("persons")}</CardTitle>
          {people.length === 0 ? (
            <p className="text-sm text-slate-500">{t("nobodyHere")}</p>
          ) : (
            <ul className="space-y-2 text-sm">
              {people.map((p) => (
                <li key={p.id}>
                  <Link href={`/persons/${p.id}`} className="text-brand-700 hover:underline">
                    {personDisplayName(p)}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
