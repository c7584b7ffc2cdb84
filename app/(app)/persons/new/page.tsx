import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { PersonForm } from "@/components/person-form";
import { Alert, Card, PageHeader } from "@/components/ui/card";
import { personFormOptions } from "@/lib/persons/form-options";
import { DEFAULT_VISIBILITY } from "@/lib/visibility";
import { requireViewer } from "@/lib/viewer";
import { createPersonAction } from "../actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("newPerson"))("title") };
}

export default async function NewPersonPage() {
  const viewer = await requireViewer();
  const t = await getTranslations("newPerson");
  if (!viewer.canAddPersons && !viewer.isAdmin) {
    return (
      <>
        <PageHeader title={t("title")} />
        <Alert>{t("noPermission")}</Alert>
      </>
    );
  }
  const options = await personFormOptions(await getDb(), viewer);
  return (
    <>
      <PageHeader title={t("title")} />
      <Card>
        <PersonForm
          action={createPersonAction}
          submitLabel={t("create")}
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
