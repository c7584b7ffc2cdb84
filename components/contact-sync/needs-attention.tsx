import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ActionState } from "@/lib/action-state";
import { formatDateTime, formatList } from "@/lib/format";
import type { Locale } from "@/lib/i18n/locales";
import type { FailedContact, NeedsAttention as Items } from "@/lib/sync/screens/dashboard";
import { ActionButton } from "../ui/action-button";
import { conflictSentence, type ConflictDetail } from "./conflict-text";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/** The dashboard's "Needs attention": contacts that failed to sync with the provider's reason
 * and what happens next, held deletions, and the conflicts of the last days — each with what
 * the user can do about it. */
export async function NeedsAttention({
  connectionId,
  app,
  twoWay,
  items,
  heldCount,
  actions,
}: {
  connectionId: string;
  /** The address book as the user knows it: "Google Contacts". */
  app: string;
  twoWay: boolean;
  items: Items;
  heldCount: number;
  actions: { retry: Action; dismiss: Action; held: Action };
}) {
  const t = await getTranslations("attention");
  const tc = await getTranslations("conflict");
  const ts = await getTranslations("contactSync");
  const fields = await getTranslations("history.field");
  const format = await getFormatter();
  const locale = (await getLocale()) as Locale;
  const now = new Date();
  const fieldName = (f: string) => (fields.has(f) ? fields(f) : f);
  const { failed, conflicts, held, counts } = items;
  if (failed.length === 0 && conflicts.length === 0 && heldCount === 0) return null;
  const retryable = (f: FailedContact) => twoWay && f.operation !== "read" && f.operation !== "oversize" && f.personId !== null && f.personVisible;
  const heldNames = (f: FailedContact) => formatList((f.heldFields ?? []).map((h) => fieldName(h.field).toLowerCase()), locale);

  const nameOf = (label: string, personId: string | null, visible: boolean) =>
    personId && visible ? (
      <Link href={`/persons/${personId}`} className="font-medium text-brand-700 hover:underline">
        {label || t("noName")}
      </Link>
    ) : (
      <span className="font-medium">{label || t("noName")}</span>
    );

  const nextStep = (f: FailedContact) => {
    if (f.operation === "read") return t("readAgain", { app });
    if (f.operation === "oversize") return t("oversizeNext", { app });
    if (!twoWay) return t("notSent");
    if (f.retryAt === null) return t("stopped", { count: f.attempts, limit: f.retryLimit });
    // Due already: the next run tries it (whenever the connection's interval brings one).
    if (f.retryAt <= now || f.attempts === 0) return t("retryNext", { count: f.attempts });
    return t("willRetry", { count: f.attempts, when: format.relativeTime(f.retryAt, now) });
  };

  return (
    <section className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-200" aria-labelledby={`attention-${connectionId}`} data-testid="needs-attention">
      <h3 id={`attention-${connectionId}`} className="font-semibold">
        {t("title")}
      </h3>

      {failed.length > 0 ? (
        <div className="mt-2">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h4 className="font-medium">{t("failedTitle", { count: Math.max(counts.failed, failed.length) })}</h4>
            {failed.filter(retryable).length > 1 ? (
              <ActionButton action={actions.retry} fields={{ connectionId }}>
                {t("retryAll")}
              </ActionButton>
            ) : null}
          </div>
          <ul className="mt-1 space-y-2">
            {failed.map((f) => (
              <li key={f.id} className="rounded-md bg-white p-2 ring-1 ring-amber-100" data-testid="failed-contact">
                <p>
                  {nameOf(f.label, f.personId, f.personVisible)} — {t(`operation.${f.operation}`, { app, fields: heldNames(f) })}
                </p>
                {/* (Nothing of a person the viewer may no longer see: the provider's text may quote it.) */}
                {f.operation === "oversize" ? (
                  <p className="mt-0.5 text-slate-700">
                    {(f.heldFields ?? []).map((h) => `${t("oversizeField", { field: fieldName(h.field), app, length: h.length, limit: h.limit, unit: h.unit })} `)}
                    {t("oversizeReason", { app })}
                  </p>
                ) : !f.personHidden ? (
                  <p className="mt-0.5 text-slate-700">
                    {f.cause ? `${t(`cause.${f.cause}`, { app })} ` : null}
                    {f.operation === "read" ? t("readReason", { reason: f.reason }) : t("reason", { app, reason: f.reason })}
                  </p>
                ) : null}
                <p className="mt-0.5 text-xs text-slate-600">
                  {nextStep(f)} · {t("lastTried", { date: formatDateTime(f.lastFailedAt, locale) })}
                </p>
                {retryable(f) || (f.personId && f.personVisible) ? (
                  <div className="mt-1 flex flex-wrap gap-2">
                    {retryable(f) ? (
                      <ActionButton action={actions.retry} fields={{ connectionId, failureId: f.id }} variant="primary">
                        {t("retry")}
                      </ActionButton>
                    ) : null}
                    {f.personId && f.personVisible ? (
                      <Link href={`/persons/${f.personId}?edit=1`} className="inline-flex items-center rounded-md px-3 py-1.5 text-sm font-medium text-brand-700 ring-1 ring-slate-200 hover:bg-slate-50">
                        {t("editPerson")}
                      </Link>
                    ) : null}
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {heldCount > 0 ? (
        <div className="mt-3" data-testid="held-deletions">
          <h4 className="font-medium">{ts("heldTitle", { count: heldCount })}</h4>
          <p className="mt-1">{ts("heldText")}</p>
          {held.length > 0 ? (
            <p className="mt-1 text-slate-700">{formatList(held.map((h) => h.label || t("noName")), locale)}</p>
          ) : null}
          <div className="mt-2 flex flex-wrap gap-2">
            <ActionButton action={actions.held} fields={{ connectionId, confirm: "true" }} variant="danger">
              {ts("heldDelete", { count: heldCount })}
            </ActionButton>
            <ActionButton action={actions.held} fields={{ connectionId, confirm: "false" }}>
              {ts("heldKeep")}
            </ActionButton>
          </div>
        </div>
      ) : null}

      {conflicts.length > 0 ? (
        <div className="mt-3">
          <h4 className="font-medium">{t("conflictsTitle", { count: Math.max(counts.conflicts, conflicts.length) })}</h4>
          <ul className="mt-1 space-y-2">
            {conflicts.map((e) => {
              const detail = e.detail as ConflictDetail;
              const field = e.changes[0]?.field;
              return (
                <li key={e.id} className="rounded-md bg-white p-2 ring-1 ring-amber-100" data-testid="conflict">
                  <p>
                    {nameOf(e.label, e.personId, e.personVisible)} · <span className="text-xs text-slate-600">{formatDateTime(e.createdAt, locale)}</span>
                  </p>
                  {!e.personHidden ? <p className="mt-0.5 text-slate-700">{conflictSentence(tc, detail, field ? fieldName(field) : "", app)}</p> : null}
                  <div className="mt-1">
                    <ActionButton action={actions.dismiss} fields={{ connectionId, eventId: e.id }} variant="ghost">
                      {t("dismiss")}
                    </ActionButton>
                  </div>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
