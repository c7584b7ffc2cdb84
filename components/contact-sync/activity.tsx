import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import type { ActionItemProps } from "./types";
import { ActionButton } from "../ui/action-button";
import { formatDateTime, formatList } from "@/lib/format";
import type { Locale } from "@/lib/i18n/locales";
import { FIELD_LABELS } from "./field-labels";

/** One column of the dashboard: recent added, updated or deleted contacts, newest first. */
export function ActivityList({ title, items, emptyText, restoreAction }: ActionItemProps) {
  const locale = useLocale() as Locale;
  const t = useTranslations("activity");
  const field = useTranslations("fields");
  return (
    <section aria-label={title} className="min-w-0">
      <h3 className="mb-2 text-sm font-semibold text-slate-900">{title}</h3>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{emptyText}</p>
      ) : (
        <ul className="space-y-2">
          {items.map((e) => {
            const fields = formatList(e.changes.map((c) => (c.field in FIELD_LABELS ? field(c.field) : c.field)), locale);
            return (
              <li key={e.id} className="rounded-md p-2 text-sm ring-1 ring-slate-100">
                <div className="flex items-start justify-between gap-2">
                  <span className="min-w-0 truncate font-medium">
                    {e.personId && e.personVisible ? (
                      <Link href={`/persons/${e.personId}`} className="text-brand-700 hover:underline">
                        {e.label || t("noName")}
                      </Link>
                    ) : e.personHidden ? (
                      <span className="italic text-slate-500">{e.label}</span>
                    ) : (
                      e.label || t("noName")
                    )}
                  </span>
                  <span className="shrink-0 text-xs text-slate-500" title={e.side === "crm" ? t("changedInTandem") : t("changedInBook")}>
                    {e.side === "crm" ? t("toTandem") : t("toBook")}
                  </span>
                </div>
                {e.kind === "updated" && e.changes.length > 0 ? <p className="mt-0.5 text-xs text-slate-600">{t("changed", { fields })}</p> : null}
                {e.kind === "linked" ? (
                  <p className="mt-0.5 text-xs text-slate-600">{e.changes.length > 0 ? t("filled", { fields }) : t("nothingToFill")}</p>
                ) : null}
                <p className="mt-0.5 text-xs text-slate-500">{formatDateTime(e.createdAt, locale)}</p>
                {restoreAction && e.kind === "deleted" && e.side === "crm" && e.personId && !e.personVisible && !e.personHidden && !e.resolvedAt ? (
                  <div className="mt-1">
                    <ActionButton action={restoreAction} fields={{ eventId: e.id }} variant="ghost">
                      {t("restore")}
                    </ActionButton>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Added / updated / deleted per day, as plain bars (no chart library needed for this). */
export function ActivityChart({ days }: { days: { day: string; added: number; updated: number; deleted: number }[] }) {
  const t = useTranslations("activity");
  const max = Math.max(1, ...days.map((d) => d.added + d.updated + d.deleted));
  return (
    <figure>
      <div className="flex h-28 items-end gap-1" role="img" aria-label={t("chart")}>
        {days.map((d) => {
          const total = d.added + d.updated + d.deleted;
          return (
            <div key={d.day} className="flex h-full flex-1 flex-col justify-end" title={t("day", { day: d.day, added: d.added, updated: d.updated, deleted: d.deleted })}>
              <div className="bg-red-400" style={{ height: `${(d.deleted / max) * 100}%` }} />
              <div className="bg-amber-400" style={{ height: `${(d.updated / max) * 100}%` }} />
              <div className="rounded-t-sm bg-emerald-500" style={{ height: `${(d.added / max) * 100}%` }} />
              {total === 0 ? <div className="h-px bg-slate-200" /> : null}
            </div>
          );
        })}
      </div>
      <figcaption className="mt-2 flex flex-wrap gap-4 text-xs text-slate-600">
        <span>
          <span className="mr-1 inline-block h-2 w-2 bg-emerald-500" />
          {t("added")}
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 bg-amber-400" />
          {t("updated")}
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 bg-red-400" />
          {t("deleted")}
        </span>
        <span className="ml-auto">{t("lastDays", { count: days.length })}</span>
      </figcaption>
    </figure>
  );
}
