import Link from "next/link";
import type { ActionItemProps } from "./types";
import { ActionButton } from "../ui/action-button";
import { formatDateTime } from "@/lib/format";
import { FIELD_LABELS } from "./field-labels";

function ago(date: Date): string {
  return formatDateTime(date);
}

/** One column of the dashboard: recent added, updated or deleted contacts, newest first. */
export function ActivityList({ title, items, emptyText, restoreAction }: ActionItemProps) {
  return (
    <section aria-label={title} className="min-w-0">
      <h3 className="mb-2 text-sm font-semibold text-slate-900">{title}</h3>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{emptyText}</p>
      ) : (
        <ul className="space-y-2">
          {items.map((e) => {
            const fields = e.changes.map((c) => FIELD_LABELS[c.field] ?? c.field);
            return (
              <li key={e.id} className="rounded-md p-2 text-sm ring-1 ring-slate-100">
                <div className="flex items-start justify-between gap-2">
                  <span className="min-w-0 truncate font-medium">
                    {e.personId && e.personVisible ? (
                      <Link href={`/persons/${e.personId}`} className="text-brand-700 hover:underline">
                        {e.label || "(no name)"}
                      </Link>
                    ) : e.personHidden ? (
                      <span className="italic text-slate-500">{e.label}</span>
                    ) : (
                      e.label || "(no name)"
                    )}
                  </span>
                  <span className="shrink-0 text-xs text-slate-500" title={e.side === "crm" ? "Changed in Tandem" : "Changed in the address book"}>
                    {e.side === "crm" ? "→ Tandem" : "→ address book"}
                  </span>
                </div>
                {e.kind === "updated" && fields.length > 0 ? <p className="mt-0.5 text-xs text-slate-600">Changed: {fields.join(", ")}</p> : null}
                {e.kind === "linked" ? (
                  <p className="mt-0.5 text-xs text-slate-600">{fields.length > 0 ? `Filled: ${fields.join(", ")}` : "Nothing to fill"}</p>
                ) : null}
                <p className="mt-0.5 text-xs text-slate-400">{ago(e.createdAt)}</p>
                {restoreAction && e.kind === "deleted" && e.side === "crm" && e.personId && !e.personVisible && !e.personHidden && !e.resolvedAt ? (
                  <div className="mt-1">
                    <ActionButton action={restoreAction} fields={{ eventId: e.id }} variant="ghost">
                      Restore
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
  const max = Math.max(1, ...days.map((d) => d.added + d.updated + d.deleted));
  return (
    <figure>
      <div className="flex h-28 items-end gap-1" role="img" aria-label="Sync activity over the last days">
        {days.map((d) => {
          const total = d.added + d.updated + d.deleted;
          return (
            <div key={d.day} className="flex h-full flex-1 flex-col justify-end" title={`${d.day}: ${d.added} added, ${d.updated} updated, ${d.deleted} deleted`}>
              <div className="bg-red-400" style={{ height: `${(d.deleted / max) * 100}%` }} />
              <div className="bg-amber-400" style={{ height: `${(d.updated / max) * 100}%` }} />
              <div className="rounded-t-sm bg-emerald-500" style={{ height: `${(d.added / max) * 100}%` }} />
              {total === 0 ? <div className="h-px bg-slate-200" /> : null}
            </div>
          );
        })}
      </div>
      <figcaption className="mt-2 flex flex-wrap gap-4 text-xs text-slate-600">
        <span><span className="mr-1 inline-block h-2 w-2 bg-emerald-500" />added</span>
        <span><span className="mr-1 inline-block h-2 w-2 bg-amber-400" />updated</span>
        <span><span className="mr-1 inline-block h-2 w-2 bg-red-400" />deleted</span>
        <span className="ml-auto">last {days.length} days</span>
      </figcaption>
    </figure>
  );
}
