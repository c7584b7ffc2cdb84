import Link from "next/link";
import type { PreviewDecision } from "@/db/schema";
import type { ActionState } from "@/lib/action-state";
import type { PreviewPage, PreviewPerson, PreviewRow, PreviewSummary } from "@/lib/sync/preview";
import { PREVIEW_PAGE_SIZE } from "@/lib/sync/preview";
import { ActionButton } from "../ui/action-button";
import { Alert } from "../ui/card";
import { FIELD_LABELS } from "./field-labels";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

const MATCHED_BY = { email: "same e-mail", phone: "same phone", name: "same name" } as const;

const TABS: { decision: PreviewDecision; label: string }[] = [
  { decision: "choose", label: "Need your choice" },
  { decision: "link", label: "Linked" },
  { decision: "create", label: "Created" },
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

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
  /** Why the preview could not be prepared (the listing failed). */
  error: string | null;
  actions: { decide: Action; start: Action; back: Action; prepare: Action };
}) {
  const total = summary.link + summary.create + summary.choose;
  if (total === 0) {
    return (
      <div className="space-y-3">
        <Alert>{error ?? "The preview of the first sync is not ready."}</Alert>
        <div className="flex flex-wrap gap-2">
          <ActionButton action={actions.prepare} fields={{ connectionId }} variant="primary">
            Prepare the preview again
          </ActionButton>
          <ActionButton action={actions.back} fields={{ connectionId }}>
            Back to the settings
          </ActionButton>
        </div>
      </div>
    );
  }
  const pages = Math.max(1, Math.ceil(page.total / PREVIEW_PAGE_SIZE));
  return (
    <section aria-label="Preview of the first sync" data-testid="first-sync-preview">
      <h3 className="text-sm font-semibold">Before the first sync</h3>
      <p className="mt-1 text-sm text-slate-700" data-testid="preview-summary">
        {plural(summary.link, "contact", "contacts")} will be linked to persons you already have, {summary.create} will be created
        {summary.choose > 0 ? <>, {summary.choose} need your choice</> : null}.
      </p>
      <p className="mt-1 text-xs text-slate-500">
        Nothing has been written yet. A linked person keeps its values; it gets what only the contact has (more e-mails or phones, empty fields
        filled). Where both have a different value, Tandem keeps its own and records the other in the person&apos;s sync history.
      </p>
      <nav aria-label="Preview sections" className="mt-3 flex flex-wrap gap-1 border-b border-slate-200">
        {TABS.map((t) => (
          <Link
            key={t.decision}
            href={hrefFor(t.decision, 1)}
            aria-current={t.decision === decision ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-1.5 text-sm ${t.decision === decision ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label} ({summary[t.decision]})
          </Link>
        ))}
      </nav>
      {page.rows.length === 0 ? (
        <p className="py-3 text-sm text-slate-500">Nothing here.</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label={TABS.find((t) => t.decision === decision)!.label}>
          {page.rows.map((row) => (
            <li key={row.providerId} className="py-3 text-sm" data-testid="preview-row">
              <PreviewItem connectionId={connectionId} row={row} decide={actions.decide} />
            </li>
          ))}
        </ul>
      )}
      {pages > 1 ? (
        <nav aria-label="Preview pages" className="flex items-center gap-3 py-2 text-sm">
          {pageNumber > 1 ? <Link href={hrefFor(decision, pageNumber - 1)} className="text-brand-700 hover:underline">Previous</Link> : null}
          <span className="text-slate-500">
            Page {pageNumber} of {pages}
          </span>
          {pageNumber < pages ? <Link href={hrefFor(decision, pageNumber + 1)} className="text-brand-700 hover:underline">Next</Link> : null}
        </nav>
      ) : null}
      <div className="mt-4 flex flex-wrap items-start gap-2 border-t border-slate-100 pt-4">
        <ActionButton action={actions.start} fields={{ connectionId }} variant="primary">
          Start syncing
        </ActionButton>
        <ActionButton action={actions.back} fields={{ connectionId }}>
          Back
        </ActionButton>
        {summary.choose > 0 ? <p className="self-center text-xs text-slate-500">Choose for each contact under &ldquo;Need your choice&rdquo; first.</p> : null}
      </div>
    </section>
  );
}

function personLine(p: PreviewPerson) {
  const detail = [...p.emails.slice(0, 2), ...p.phones.slice(0, 1)].join(", ");
  return (
    <>
      <Link href={`/persons/${p.id}`} className="font-medium text-brand-700 hover:underline">
        {p.name}
      </Link>
      {detail ? <span className="text-slate-500"> · {detail}{p.emails.length > 2 ? ` and ${p.emails.length - 2} more` : ""}</span> : null}
    </>
  );
}

function PreviewItem({ connectionId, row, decide }: { connectionId: string; row: PreviewRow; decide: Action }) {
  const contactDetail = [...row.contact.emails, ...row.contact.phones].join(", ");
  const contact = (
    <p>
      <span className="font-medium">{row.label}</span>
      {contactDetail ? <span className="text-slate-500"> · {contactDetail}</span> : null}
    </p>
  );
  const fields = { connectionId, providerId: row.providerId };
  if (row.decision === "link" && row.person) {
    return (
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          {contact}
          <p>
            Linked to {personLine(row.person)}
            {row.matchedBy ? <span className="text-xs text-slate-500"> ({MATCHED_BY[row.matchedBy]})</span> : null}
          </p>
          {row.filled.length > 0 ? (
            <p className="text-xs text-slate-600">
              Fills: {row.filled.map((f) => `${FIELD_LABELS[f.field] ?? f.field} (${f.value})`).join("; ")}
            </p>
          ) : (
            <p className="text-xs text-slate-500">Nothing to fill: the person already has everything the contact has.</p>
          )}
          {row.differ.map((d) => (
            <p key={d.field} className="text-xs text-amber-800">
              {FIELD_LABELS[d.field] ?? d.field}: keeps &ldquo;{d.crm}&rdquo;; the address book&apos;s &ldquo;{d.provider}&rdquo; goes to the history
            </p>
          ))}
        </div>
        <ActionButton action={decide} fields={{ ...fields, personId: "" }}>
          Unpair
        </ActionButton>
      </div>
    );
  }
  if (row.decision === "choose") {
    return (
      <div className="space-y-2">
        {contact}
        <p className="text-xs text-slate-600">
          {row.candidates.length > 1 ? `${row.candidates.length} of your persons match (${row.matchedBy ? MATCHED_BY[row.matchedBy] : "match"}):` : "This person also matches another contact:"}
        </p>
        <ul className="space-y-1">
          {row.candidates.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center gap-2">
              <ActionButton action={decide} fields={{ ...fields, personId: p.id }}>
                Link to {p.name}
              </ActionButton>
              <span className="text-xs">{personLine(p)}</span>
            </li>
          ))}
        </ul>
        <ActionButton action={decide} fields={{ ...fields, personId: "" }}>
          Create a new person
        </ActionButton>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-start justify-between gap-3">
      <div className="min-w-0">
        {contact}
        <p className="text-xs text-slate-500">Will be created as a new person.</p>
      </div>
      {row.candidates.length > 0 ? (
        <div className="flex flex-wrap gap-2">
          {row.candidates.map((p) => (
            <ActionButton key={p.id} action={decide} fields={{ ...fields, personId: p.id }}>
              Link to {p.name}
            </ActionButton>
          ))}
        </div>
      ) : null}
    </div>
  );
}
