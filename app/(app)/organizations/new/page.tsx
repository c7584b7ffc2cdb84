import type { Metadata } from "next";
import { OrganizationForm } from "@/components/organization-form";
import { Alert, Card, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/viewer";
import { createOrganizationAction } from "../actions";

export const metadata: Metadata = { title: "New organization" };

export default async function NewOrganizationPage() {
  const viewer = await requireViewer();
  return (
    <>
      <PageHeader title="New organization" />
      {viewer.canAddOrganizations || viewer.isAdmin ? (
        <Card>
          <OrganizationForm action={createOrganizationAction} values={{ name: "", address: "" }} submitLabel="Create organization" />
        </Card>
      ) : (
        <Alert>You do not have the permission to add organizations. Ask a global admin of your company.</Alert>
      )}
    </>
  );
}
