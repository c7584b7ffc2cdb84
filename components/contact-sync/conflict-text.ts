// A sync conflict in words: which value was kept, and the rule that kept it. Shared by the
// dashboard's "Needs attention" and a person's sync history.

/** How a stored value reads: lists of labelled values joined, nothing as a dash. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" && v && "value" in v ? String((v as { value: unknown }).value) : String(v))).join(", ") || "—";
  return String(value);
}

export type ConflictDetail = { rule?: string; winner?: string; crm?: unknown; provider?: unknown; deletedOn?: string };

/** The rule a conflict event was decided by (its `detail`, written by the engine: merge.ts,
 * first-sync/link.ts). */
export function conflictRule(detail: ConflictDetail): "twoWay" | "oneWay" | "firstSync" | "deleteWins" {
  if (detail.rule === "delete wins") return "deleteWins";
  if (detail.rule?.startsWith("first sync")) return "firstSync";
  return detail.winner === "provider" ? "oneWay" : "twoWay";
}

type Translate = (key: string, values: Record<string, string>) => string;

/** One sentence, with `t` over the "conflict" messages. */
export function conflictSentence(t: Translate, detail: ConflictDetail, field: string, app: string): string {
  const rule = conflictRule(detail);
  if (rule === "deleteWins") return t(detail.deletedOn === "provider" ? "deleteWinsProvider" : "deleteWins", { app });
  const [crm, provider] = [showValue(detail.crm), showValue(detail.provider)];
  return rule === "oneWay" ? t("oneWay", { field, app, kept: provider, lost: crm }) : t(rule, { field, app, kept: crm, lost: provider });
}
