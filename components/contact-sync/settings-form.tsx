"use client";

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

const INTERVALS: { minutes: number; label: string }[] = [
  { minutes: 5, label: "Every 5 minutes" },
  { minutes: 15, label: "Every 15 minutes" },
  { minutes: 60, label: "Every hour" },
  { minutes: 0, label: "Only when I press Refresh" },
];

const DIRECTION_HELP = {
  one_way: "Contacts added, changed or deleted in the address book are added, changed or deleted here. Nothing is sent back.",
  two_way: "As one-way, and persons you own here are added, changed or deleted in the address book too.",
};

export function SettingsForm({ action, connectionId, groups, visibilities, values, groupLabel, submitLabel }: SettingsFormProps) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-5" noValidate>
      {state.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      <input type="hidden" name="connectionId" value={connectionId} />
      <Field id={`group-${connectionId}`} label="Sync group" hint={groupLabel} error={errors.groupId}>
        <Select id={`group-${connectionId}`} name="groupId" defaultValue={values.groupId ?? ""} aria-invalid={!!errors.groupId}>
          {values.groupId ? null : <option value="">Choose a group…</option>}
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
              {g.memberCount !== undefined ? ` (${g.memberCount})` : ""}
            </option>
          ))}
        </Select>
      </Field>
      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">Sync direction</legend>
        {(["one_way", "two_way"] as const).map((d) => (
          <label key={d} className="flex items-start gap-3 rounded-md p-2 ring-1 ring-slate-200 has-[:checked]:ring-brand-500">
            <input type="radio" name="direction" value={d} defaultChecked={values.direction === d} className="mt-1 accent-brand-600" />
            <span>
              <span className="block text-sm font-medium">{d === "one_way" ? "One-way" : "Two-way"}</span>
              <span className="block text-xs text-slate-600">{DIRECTION_HELP[d]}</span>
            </span>
          </label>
        ))}
        {errors.direction ? <p className="text-xs font-medium text-red-600">{errors.direction}</p> : null}
      </fieldset>
      <Field id={`visibility-${connectionId}`} label="Visibility of synced persons" error={errors.visibility}>
        <Select id={`visibility-${connectionId}`} name="visibility" defaultValue={values.visibility} aria-invalid={!!errors.visibility}>
          {visibilities.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label} — {v.hint}
            </option>
          ))}
        </Select>
      </Field>
      <Field id={`interval-${connectionId}`} label="How often to sync" error={errors.interval}>
        <Select id={`interval-${connectionId}`} name="interval" defaultValue={String(values.interval)} aria-invalid={!!errors.interval}>
          {INTERVALS.map((i) => (
            <option key={i.minutes} value={i.minutes}>
              {i.label}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : submitLabel}
      </Button>
    </form>
  );
}
