import type { PersonSyncHistory } from "@/lib/sync/dashboard";
import { providerDefinition } from "@/lib/sync/providers/registry";
import { Card, CardTitle } from "../ui/card";
import { useLocale } from "next-intl";
import { formatDateTime } from "@/lib/format";
import type { Locale } from "@/lib/i18n/locales";

const KIND_TEXT: Record<string, string> = {
  added: "Added",
  updated: "Updated",
  deleted: "Deleted",
  conflict: "Conflict",
  error: "Could not sync",
  held_deletion: "Deletion held for confirmation",
  restored: "Restored",
  skipped: "Left alone (you may no longer edit this person)",
  linked: "Linked to its contact by the first sync",
};

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" && v && "value" in v ? String((v as { value: unknown }).value) : String(v))).join(", ") || "—";
  return String(value);
}

/** Which address books a person is linked to, and what sync did to it. */
export function PersonSyncPanel({ history }: { history: PersonSyncHistory }) {
  const locale = useLocale() as Locale;
  return (
    <Card>
      <CardTitle>Sync</CardTitle>
      {history.links.length === 0 ? (
        <p className="text-sm text-slate-500">Not linked to any of your address books.</p>
      ) : (
        <ul className="mb-3 space-y-1 text-sm">
          {history.links.map((l) => (
            <li key={l.connectionId}>
              Linked to <span className="font-medium">{l.accountEmail}</span> ({providerDefinition(l.provider).profile.shortName}
              {l.groupName ? `, ${l.groupName}` : ""})
            </li>
          ))}
        </ul>
      )}
      {history.otherLinks > 0 ? (
        <p className="mb-3 text-sm text-slate-500">
          Also in {history.otherLinks === 1 ? "another user's address book" : `${history.otherLinks} other users' address books`}.
        </p>
      ) : null}
      {history.events.length > 0 ? (
        <ol className="space-y-3 border-l border-slate-200 pl-3 text-sm">
          {history.events.map((e) => {
            const detail = e.detail as { rule?: string; winner?: string; base?: unknown; crm?: unknown; provider?: unknown; message?: string };
            return (
              <li key={e.id}>
                <p className="font-medium">
                  {KIND_TEXT[e.kind] ?? e.kind} {e.kind !== "conflict" && e.kind !== "linked" ? (e.side === "crm" ? "in Tandem" : `in ${providerDefinition(e.provider).profile.appName}`) : null}
                </p>
                <p className="text-xs text-slate-500">
                  {formatDateTime(e.createdAt, locale)} · {e.accountEmail}
                </p>
                {e.kind === "conflict" && detail.rule ? (
                  <p className="text-xs text-slate-700">
                    {String(detail.rule).startsWith("first sync") ? "Different on both sides when first linked" : "Changed on both sides"}; {detail.rule}.{" "}
                    {detail.crm !== undefined ? `Tandem: ${show(detail.crm)}; address book: ${show(detail.provider)}.` : null}
                  </p>
                ) : null}
                {e.kind !== "conflict" && e.changes.length > 0 ? (
                  <ul className="text-xs text-slate-600">
                    {e.changes.slice(0, 6).map((c) => (
                      <li key={c.field}>
                        {c.field}: {show(c.old)} → {show(c.new)}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {detail.message ? <p className="text-xs text-red-700">{detail.message}</p> : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </Card>
  );
}
