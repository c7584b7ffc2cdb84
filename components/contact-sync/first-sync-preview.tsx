import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { ActionState } from "@/lib/action-state";
import { lastErrorText } from "@/lib/sync/model/last-error";
import type { PreviewPage, PreviewPerson, PreviewRow, PreviewSummary } from "@/lib/sync/first-sync/preview";
import { PREVIEW_PAGE_SIZE } from "@/lib/sync/first-sync/preview";

type PreviewDecision = keyof PreviewSummary;
import { ActionButton } from "../ui/action-button";
import { Alert } from "../ui/card";
import { FIELD_LABELS } from "./field-labels";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/** The tabs, in order; each is named by its message firstSync.tab.<decision>. */
const TABS: readonly PreviewDecision[] = ["choose", "link", "create"];

/** The first sync's preview: what the first run will do with each of the group's contacts,
 * before anything is written. */
export function FirstSyncPreview({
  connectionId,
  summary,
  page,
  decision,
  pageNumber,
  hrefFor,
  error,
  actions,
}: {
  connectionId: string;
  summary: PreviewSummary;
  page: PreviewPage;
  decision: PreviewDecision;
  pageNumber: number;
  /** The page's URL showing another tab or page of the preview. */
  hrefFor: (decision: PreviewDecision, page: number) => string;
  /** Why the preview could not be prepared (the listing failed): the connection's last error, as stored. */
  error: string | null;
  actions: { decide: Action; start: Action; back: Action; prepare: Action };
}) {
  const t = useTranslations("firstSync");
  const lastError = useTranslations("errors.lastError");
  const total = summary.link + summary.create + summary.choose;
  if (total === 0) {
    return (
      <div className="space-y-3">
        <Alert>{error ? lastErrorText(error, lastError) : t("notReady")}</Alert>
        <div className="flex flex-wrap gap-2">
          <ActionButton action={actions.prepare} fields={{ connectionId }} variant="primary">
            {t("prepareAgain")}
          </ActionButton>
          <ActionButton action={actions.back} fields={{ connectionId }}>
            {t("backToSettings")}
          </ActionButton>
        </div>
      </div>
    );
  }
  const pages = Math.max(1, Math.ceil(page.total / PREVIEW_PAGE_SIZE));
  return (
    <section aria-label={t("label")} data-testid="first-sync-preview">
      <h3 className="text-sm font-semibold">{t("title")}</h3>
      <p className="mt-1 text-sm text-slate-700" data-testid="preview-summary">
        {t(summary.choose > 0 ? "summaryWithChoices" : "summary", { link: summary.link, create: summary.create, choose: summary.choose })}
      </p>
      <p className="mt-1 text-xs text-slate-500">{t("explanation")}</p>
      <nav aria-label={t("sections")} className="mt-3 flex flex-wrap gap-1 border-b border-slate-200">
        {TABS.map((d) => (
          <Link
            key={d}
            href={hrefFor(d, 1)}
            aria-current={d === decision ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-1.5 text-sm ${d === decision ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t(`tab.${d}`)} ({summary[d]})
          </Link>
        ))}
      </nav>
      {page.rows.length === 0 ? (
        <p className="py-3 text-sm text-slate-500">{t("empty")}</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label={t(`tab.${decision}`)}>
          {page.rows.map((row) => (
            <li key={row.providerId} className="py-3 text-sm" data-testid="preview-row">
              <PreviewItem connectionId={connectionId} row={row} decide={actions.decide} />
            </li>
          ))}
        </ul>
      )}
      {pages > 1 ? (
        <nav aria-label={t("pages")} className="flex items-center gap-3 py-2 text-sm">
          {pageNumber > 1 ? (
            <Link href={hrefFor(decision, pageNumber - 1)} className="text-brand-700 hover:underline">
              {t("previous")}
            </Link>
          ) : null}
          <span className="text-slate-500">{t("page", { page: pageNumber, pages })}</span>
          {pageNumber < pages ? (
            <Link href={hrefFor(decision, pageNumber + 1)} className="text-brand-700 hover:underline">
              {t("next")}
            </Link>
          ) : null}
        </nav>
      ) : null}
      <div className="mt-4 flex flex-wrap items-start gap-2 border-t border-slate-100 pt-4">
        <ActionButton action={actions.start} fields={{ connectionId }} variant="primary">
          {t("start")}
        </ActionButton>
        <ActionButton action={actions.back} fields={{ connectionId }}>
          {t("back")}
        </ActionButton>
        {summary.choose > 0 ? <p className="self-center text-xs text-slate-500">{t("chooseFirst")}</p> : null}
      </div>
    </section>
  );
}

/** A person of ours: the name (or `children`, in a message's words) linking to the person, and
 * the first e-mails and phone. */
function PersonLine({ person: p, children }: { person: PreviewPerson; children?: ReactNode }) {
  const t = useTranslations("firstSync");
  const detail = [...p.emails.slice(0, 2), ...p.phones.slice(0, 1)].join(", ");
  return (
    <>
      <Link href={`/persons/${p.id}`} className="font-medium text-brand-700 hover:underline">
        {children ?? p.name}
      </Link>
      {detail ? (
        <span className="text-slate-500">
          {" "}
          · {detail}
          {p.emails.length > 2 ? ` ${t("moreEmails", { count: p.emails.length - 2 })}` : ""}
        </span>
      ) : null}
    </>
  );
}

function PreviewItem({ connectionId, row, decide }: { connectionId: string; row: PreviewRow; decide: Action }) {
  const t = useTranslations("firstSync");
  const fieldName = useTranslations("fields");
  const label = (field: string) => (field in FIELD_LABELS ? fieldName(field) : field);
  const contactDetail = [...row.contact.emails, ...row.contact.phones].join(", ");
  const contact = (
    <p>
      <span className="font-medium">{row.label}</span>
      {contactDetail ? <span className="text-slate-500"> · {contactDetail}</span> : null}
    </p>
  );
  const fields = { connectionId, providerId: row.providerId };
  if (row.decision === "link" && row.person) {
    const person = row.person;
    return (
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          {contact}
          <p>
            {t.rich("linkedTo", { name: person.name, person: (chunks) => <PersonLine person={person}>{chunks}</PersonLine> })}
            {row.matchedBy ? <span className="text-xs text-slate-500"> ({t(`matchedBy.${row.matchedBy}`)})</span> : null}
          </p>
          {row.filled.length > 0 ? (
            <p className="text-xs text-slate-600">{t("fills", { fields: row.filled.map((f) => `${label(f.field)} (${f.value})`).join("; ") })}</p>
          ) : (
            <p className="text-xs text-slate-500">{t("nothingToFill")}</p>
          )}
          {row.differ.map((d) => (
            <p key={d.field} className="text-xs text-amber-800">
              {t("differs", { field: label(d.field), crm: d.crm, provider: d.provider })}
            </p>
          ))}
        </div>
        <ActionButton action={decide} fields={{ ...fields, personId: "" }}>
          {t("unpair")}
        </ActionButton>
      </div>
    );
  }
  if (row.decision === "choose") {
    return (
      <div className="space-y-2">
        {contact}
        <p className="text-xs text-slate-600">
          {row.candidates.length > 1
            ? t("candidates", { count: row.candidates.length, how: t(row.matchedBy ? `matchedBy.${row.matchedBy}` : "match") })
            : t("alsoMatches")}
        </p>
        <ul className="space-y-1">
          {row.candidates.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center gap-2">
              <ActionButton action={decide} fields={{ ...fields, personId: p.id }}>
                {t("linkTo", { name: p.name })}
              </ActionButton>
              <span className="text-xs">
                <PersonLine person={p} />
              </span>
            </li>
          ))}
        </ul>
        <ActionButton action={decide} fields={{ ...fields, personId: "" }}>
          {t("createNew")}
        </ActionButton>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-start justify-between gap-3">
      <div className="min-w-0">
        {contact}
        <p className="text-xs text-slate-500">{t("willBeCreated")}</p>
      </div>
      {row.candidates.length > 0 ? (
        <div className="flex flex-wrap gap-2">
          {row.candidates.map((p) => (
            <ActionButton key={p.id} action={decide} fields={{ ...fields, personId: p.id }}>
              {t("linkTo", { name: p.name })}
            </ActionButton>
          ))}
        </div>
      ) : null}
    </div>
  );
}
