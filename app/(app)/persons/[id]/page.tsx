import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { getPersonById } from "@/db/queries/persons";
import { getCompany } from "@/db/queries/users";
import { listCustomFields } from "@/db/queries/custom-fields";
import { PersonSyncPanel } from "@/components/contact-sync/person-sync-panel";
import { PersonForm } from "@/components/person-form";
import { PictureForm } from "@/components/picture-form";
import { ActionButton } from "@/components/ui/action-button";
import { Alert, Badge, Card, CardTitle, PageHeader } from "@/components/ui/card";
import { personFormOptions } from "@/lib/persons/form-options";
import { personSyncHistory } from "@/lib/sync/screens/dashboard";
import type { Locale } from "@/lib/i18n/locales";
import { personDisplayName } from "@/lib/persons/display";
import { displayPhone, telHref } from "@/lib/persons/phone-display";
import { requireViewer } from "@/lib/viewer";
import { deletePersonAction, setFollowingAction, setPictureAction, updatePersonAction } from "../actions";
import { formatDateTime, formatList } from "@/lib/format";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("person"))("title") };
}

export default async function PersonPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string; edit?: string }>;
}) {
  const viewer = await requireViewer();
  const { id } = await params;
  const db = await getDb();
  const person = await getPersonById(db, viewer, id);
  if (!person) notFound();
  const [options, fields, { created, edit }, syncHistory, company] = await Promise.all([
    personFormOptions(db, viewer, person),
    listCustomFields(db, viewer),
    searchParams,
    personSyncHistory(db, viewer, person.id),
    getCompany(db, viewer),
  ]);
  const name = personDisplayName(person);
  const t = await getTranslations("person");
  const tv = await getTranslations("visibility");
  const locale = (await getLocale()) as Locale;
  const filledFields = fields.filter((f) => person.customFields[f.id]);

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {person.hasPicture ? (
              // eslint-disable-next-line @next/next/no-img-element -- served by our own route with access checks
              <img src={`/api/persons/${person.id}/picture?v=${person.updatedAt.getTime()}`} alt="" className="h-10 w-10 rounded-full object-cover" />
            ) : (
              <span aria-hidden="true" className="flex h-10 w-10 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700">
                {(person.firstName[0] ?? "") + (person.lastName[0] ?? "")}
              </span>
            )}
            {name}
          </span>
        }
        description={
          <>
            {person.organizationId ? (
              <>
                <Link href={`/organizations/${person.organizationId}`} className="text-brand-700 hover:underline" data-testid="header-organization">
                  {person.organizationName}
                </Link>{" "}
                ·{" "}
              </>
            ) : null}
            {t("ownedBy", { owner: person.ownerName })} · <Badge>{tv(`label.${person.visibility}`)}</Badge>
          </>
        }
        actions={
          <>
            <ActionButton action={setFollowingAction} fields={{ id: person.id, follow: String(!person.isFollowing) }}>
              {person.isFollowing ? t("unfollow") : t("follow")}
            </ActionButton>
            <ActionButton
              action={deletePersonAction}
              fields={{ id: person.id }}
              variant="danger"
              confirm={t("deleteConfirm", { name })}
            >
              {t("delete")}
            </ActionButton>
          </>
        }
      />
      {created ? (
        <div className="mb-4">
          <Alert tone="success">{t("created")}</Alert>
        </div>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card>
            <CardTitle>{t("contactDetails")}</CardTitle>
            <dl className="grid gap-4 text-sm sm:grid-cols-2">
              <div>
                <dt className="text-slate-500">{t("email")}</dt>
                <dd>
                  <LabelledLinks items={person.emails.map((e) => ({ href: `mailto:${e.value}`, text: e.value, label: e.label }))} />
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">{t("phone")}</dt>
                <dd>
                  <LabelledLinks items={person.phones.map((p) => ({ href: telHref(p.value), text: displayPhone(p.value, company.defaultCountry), label: p.label }))} />
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">{t("organization")}</dt>
                <dd>
                  {person.organizationId ? (
                    <Link href={`/organizations/${person.organizationId}`} className="text-brand-700 hover:underline">
                      {person.organizationName}
                    </Link>
                  ) : (
                    "—"
                  )}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">{t("address")}</dt>
                <dd className="whitespace-pre-line break-words">{person.address || "—"}</dd>
              </div>
              {filledFields.map((f) => (
                <div key={f.id}>
                  <dt className="text-slate-500">{f.name}</dt>
                  <dd className="whitespace-pre-line break-words">{person.customFields[f.id]}</dd>
                </div>
              ))}
            </dl>
          </Card>
          <details className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200" open={Boolean(edit)}>
            <summary className="cursor-pointer px-6 py-4 text-sm font-semibold">{t("edit")}</summary>
            <div className="px-6 pb-6">
              <PersonForm
                action={updatePersonAction}
                submitLabel={t("save")}
                options={options}
                values={{
                  id: person.id,
                  version: person.version,
                  firstName: person.firstName,
                  lastName: person.lastName,
                  emails: person.emails,
                  phones: person.phones,
                  address: person.address ?? "",
                  organizationId: person.organizationId ?? "",
                  ownerId: person.ownerId,
                  visibility: person.visibility,
                  customFields: person.customFields,
                }}
              />
            </div>
          </details>
        </div>
        <div className="space-y-6">
          <Card>
            <CardTitle>{t("summary")}</CardTitle>
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="text-slate-500">{t("followers")}</dt>
                <dd>{person.followers.length > 0 ? formatList(person.followers.map((f) => f.name), locale) : t("nobody")}</dd>
              </div>
              <div>
                <dt className="text-slate-500">{t("createdAt")}</dt>
                <dd>{formatDateTime(person.createdAt, locale)}</dd>
              </div>
              <div>
                <dt className="text-slate-500">{t("updatedAt")}</dt>
                <dd>{formatDateTime(person.updatedAt, locale)}</dd>
              </div>
            </dl>
          </Card>
          {syncHistory ? <PersonSyncPanel history={syncHistory} /> : null}
          <Card>
            <CardTitle>{t("picture")}</CardTitle>
            <PictureForm personId={person.id} hasPicture={person.hasPicture} action={setPictureAction} />
          </Card>
        </div>
      </div>
    </>
  );
}

/** E-mails or phones as links, each with its label ("work", "mobile"…); a dash when none. */
function LabelledLinks({ items }: { items: { href: string; text: string; label: string }[] }) {
  if (items.length === 0) return <>—</>;
  return (
    <ul>
      {items.map((i) => (
        <li key={i.href}>
          <a href={i.href} className="text-brand-700 hover:underline">
            {i.text}
          </a>{" "}
          <span className="text-xs text-slate-500">{i.label}</span>
        </li>
      ))}
    </ul>
  );
}
