import type { Metadata } from "next";
import Link from "next/link";
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

export const metadata: Metadata = { title: "Organization" };

export default async function OrganizationPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const db = await getDb();
  const org = await getOrganizationById(db, viewer, id);
  if (!org) notFound();
  const people = await listVisiblePersonsOfOrganization(db, viewer, org.id);
  return (
    <>
      <PageHeader
        title={org.name}
        description={`Owned by ${org.ownerName}`}
        actions={
          viewer.isAdmin || viewer.id === org.ownerId ? (
            <ActionButton
              action={deleteOrganizationAction}
              fields={{ id: org.id }}
              variant="danger"
              confirm={`Delete ${org.name}? Its persons stay, without an organization.`}
            >
              Delete
            </ActionButton>
          ) : null
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardTitle>Details</CardTitle>
          <OrganizationForm action={updateOrganizationAction} values={{ id: org.id, name: org.name, address: org.address ?? "" }} submitLabel="Save changes" />
        </Card>
        <Card>
          <CardTitle>Persons</CardTitle>
          {people.length === 0 ? (
            <p className="text-sm text-slate-500">No persons you can see work here.</p>
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
