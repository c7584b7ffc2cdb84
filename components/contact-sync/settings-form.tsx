"use client";

import { useTranslations } from "next-intl";
import type { ActionState } from "@/lib/action-state";
import { Alert } from "../ui/card";
import { Button } from "../ui/button";
import { Field, Select } from "../ui/field";
import { useFormAction } from "../ui/use-form-action";

export type SettingsFormProps = {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  connectionId: string;
  groups: { id: string; name: string; memberCount?: number }[];
  visibilities: { value: string; label: string; hint: string }[];
  /** interval: minutes between scheduled runs, 0 for "only when I press Refresh". */
  values: { groupId: string | null; direction: string; visibility: string; interval: number };
  groupLabel: string;
  submitLabel: string;
};

/** The intervals offered, by their message. */
const INTERVALS = [
  { minutes: 5, label: "every5" },
  { minutes: 15, label: "every15" },
  { minutes: 60, label: "every60" },
  { minutes: 0, label: "manual" },
] as const;

export function SettingsForm({ action, connectionId, groups, visibilities, values, groupLabel, submitLabel }: SettingsFormProps) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const errors = state.fieldErrors ?? {};
  const t = useTranslations("syncSettings");
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-5" noValidate>
      {state.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      <input type="hidden" name="connectionId" value={connectionId} />
      <Field id={`group-${connectionId}`} label={t("group")} hint={groupLabel} error={errors.groupId}>
        <Select id={`group-${connectionId}`} name="groupId" defaultValue={values.groupId ?? ""} aria-invalid={!!errors.groupId}>
          {values.groupId ? null : <option value="">{t("chooseGroup")}</option>}
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
              {g.memberCount !== undefined ? ` (${g.memberCount})` : ""}
            </option>
          ))}
        </Select>
      </Field>
      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("direction")}</legend>
        {(["one_way", "two_way"] as const).map((d) => (
          <label key={d} className="flex items-start gap-3 rounded-md p-2 ring-1 ring-slate-200 has-[:checked]:ring-brand-500">
            <input type="radio" name="direction" value={d} defaultChecked={values.direction === d} className="mt-1 accent-brand-600" />
            <span>
              <span className="block text-sm font-medium">{d === "one_way" ? t("oneWay") : t("twoWay")}</span>
              <span className="block text-xs text-slate-600">{d === "one_way" ? t("oneWayHelp") : t("twoWayHelp")}</span>
            </span>
          </label>
        ))}
        {errors.direction ? <p className="text-xs font-medium text-red-600">{errors.direction}</p> : null}
      </fieldset>
      <Field id={`visibility-${connectionId}`} label={t("visibility")} error={errors.visibility}>
        <Select id={`visibility-${connectionId}`} name="visibility" defaultValue={values.visibility} aria-invalid={!!errors.visibility}>
          {visibilities.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label} — {v.hint}
            </option>
          ))}
        </Select>
      </Field>
      <Field id={`interval-${connectionId}`} label={t("interval")} error={errors.interval}>
        <Select id={`interval-${connectionId}`} name="interval" defaultValue={String(values.interval)} aria-invalid={!!errors.interval}>
          {INTERVALS.map((i) => (
            <option key={i.minutes} value={i.minutes}>
              {t(i.label)}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? t("saving") : submitLabel}
      </Button>
    </form>
  );
}
