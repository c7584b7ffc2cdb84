import type { Metadata } from "next";
import { getDb } from "@/db";
import { PersonForm } from "@/components/person-form";
import { Alert, Card, PageHeader } from "@/components/ui/card";
import { personFormOptions } from "@/lib/persons/form-options";
import { DEFAULT_VISIBILITY } from "@/lib/visibility";
import { requireViewer } from "@/lib/viewer";
import { createPersonAction } from "../actions";

export const metadata: Metadata = { title: "New person" };

export default async function NewPersonPage() {
  const viewer = await requireViewer();
  if (!viewer.canAddPersons && !viewer.isAdmin) {
    return (
      <>
        <PageHeader title="New person" />
        <Alert>You do not have the permission to add persons. Ask a global admin of your company.</Alert>
      </>
    );
  }
  const options = await personFormOptions(await getDb(), viewer);
  return (
    <>
      <PageHeader title="New person" />
      <Card>
        <PersonForm
          action={createPersonAction}
          submitLabel="Create person"
          options={options}
          values={{
            firstName: "",
            lastName: "",
            emails: [],
            phones: [],
            address: "",
            organizationId: "",
            ownerId: viewer.id,
            visibility: options.visibilities.some((v) => v.value === DEFAULT_VISIBILITY)
              ? DEFAULT_VISIBILITY
              : (options.visibilities[0]?.value ?? DEFAULT_VISIBILITY),
            customFields: {},
          }}
        />
      </Card>
    </>
  );
}
