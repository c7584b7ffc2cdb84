import type { PersonSyncHistory } from "@/lib/sync/screens/dashboard";
import { providerDefinition } from "@/lib/sync/providers/registry";
import { Card, CardTitle } from "../ui/card";
import { useLocale, useTranslations } from "next-intl";
import { formatDateTime } from "@/lib/format";
import type { Locale } from "@/lib/i18n/locales";
import { conflictSentence, showValue as show, type ConflictDetail } from "./conflict-text";

/** Kinds of sync event with a message of their own (personSync.kind.*). */
const KINDS = new Set(["added", "updated", "deleted", "conflict", "error", "held_deletion", "restored", "skipped", "linked"]);

/** Which address books a person is linked to, and what sync did to it. */
export function PersonSyncPanel({ history }: { history: PersonSyncHistory }) {
  const locale = useLocale() as Locale;
  const t = useTranslations("history");
  const ps = useTranslations("personSync");
  const tc = useTranslations("conflict");
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
      <CardTitle>{ps("title")}</CardTitle>
      {history.links.length === 0 ? (
        <p className="text-sm text-slate-500">{ps("notLinked")}</p>
      ) : (
        <ul className="mb-3 space-y-1 text-sm">
          {history.links.map((l) => (
            <li key={l.connectionId}>
              {ps.rich("linkedTo", {
                account: l.accountEmail,
                book: l.groupName ? `${providerDefinition(l.provider).profile.shortName}, ${l.groupName}` : providerDefinition(l.provider).profile.shortName,
                strong: (chunks) => <span className="font-medium">{chunks}</span>,
              })}
            </li>
          ))}
        </ul>
      )}
      {history.otherLinks > 0 ? <p className="mb-3 text-sm text-slate-500">{ps("otherBooks", { count: history.otherLinks })}</p> : null}
      {history.events.length > 0 ? (
        <ol className="space-y-3 border-l border-slate-200 pl-3 text-sm">
          {history.events.map((e) => {
            const detail = e.detail as ConflictDetail & { message?: string };
            const app = providerDefinition(e.provider).profile.label;
            const kind = KINDS.has(e.kind) ? ps(`kind.${e.kind}`) : e.kind;
            const field = e.changes[0]?.field;
            return (
              <li key={e.id}>
                <p className="font-medium">
                  {e.kind !== "conflict" && e.kind !== "linked" ? ps(e.side === "crm" ? "kindInTandem" : "kindInBook", { kind, app }) : kind}
                </p>
                <p className="text-xs text-slate-500">
                  {formatDateTime(e.createdAt, locale)} · {e.accountEmail}
                </p>
                {e.kind === "conflict" && detail.rule ? (
                  <p className="text-xs text-slate-700" data-testid="history-conflict">
                    {conflictSentence(tc, detail, field ? (t.has(`field.${field}`) ? t(`field.${field}`) : field) : "", app)}
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
                {detail.message ? <p className="text-xs text-red-700">{ps("reason", { app, reason: detail.message })}</p> : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </Card>
  );
}
