"use client";

import { useTranslations } from "next-intl";
import type { ActionState } from "@/lib/action-state";
import { Alert } from "./ui/card";
import { Button } from "./ui/button";
import { Field, Input, Textarea } from "./ui/field";
import { useFormAction } from "./ui/use-form-action";

export function OrganizationForm({
  action,
  values,
  submitLabel,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  values: { id?: string; name: string; address: string };
  submitLabel: string;
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const t = useTranslations("organizations");
  const errors = state.fieldErrors ?? {};
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {state.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}
      <Field id="name" label={t("name")} error={errors.name}>
        <Input id="name" name="name" defaultValue={values.name} maxLength={200} aria-invalid={!!errors.name} />
      </Field>
      <Field id="address" label={t("address")} error={errors.address}>
        <Textarea id="address" name="address" defaultValue={values.address} maxLength={500} rows={2} aria-invalid={!!errors.address} />
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? t("saving") : submitLabel}
      </Button>
    </form>
  );
}
