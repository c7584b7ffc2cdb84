import type { PersonSyncHistory } from "@/lib/sync/dashboard";
import { providerDefinition } from "@/lib/sync/providers/registry";
import { Card, CardTitle } from "../ui/card";
import { useLocale, useTranslations } from "next-intl";
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
  const t = useTranslations("history");
  /** One change in words: "Last name changed from Rodriguez to Lopez in Google Contacts (…), 29 Nov 2026 20:32". */
  const changeLine = (e: PersonSyncHistory["events"][number], c: { field: string; old: unknown; new: unknown }) => {
    const field = t.has(`field.${c.field}`) ? t(`field.${c.field}`) : c.field;
    // Where the change was made: a write to Tandem's side came from the address book, and the
    // other way round.
    const where = e.side === "crm" ? t("inBook", { provider: providerDefinition(e.provider).profile.label, account: e.accountEmail }) : t("inTandem");
    const date = formatDateTime(e.createdAt, locale);
    const [before, after] = [show(c.old), show(c.new)];
    if (before === "—") return t("set", { field, value: after, where, date });
    if (after === "—") return t("removed", { field, old: before, where, date });
    return t("changed", { field, old: before, new: after, where, date });
  };
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
                      <li key={c.field} data-testid="history-change">
                        {changeLine(e, c)}
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
