"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { useFormAction } from "./ui/use-form-action";
import { Alert } from "./ui/card";
import { Button } from "./ui/button";
import { Field, Input, Select, Textarea } from "./ui/field";
import type { PersonFormOptions } from "@/lib/persons/form-options";

type Row = { value: string; label: string };

export type PersonFormValues = {
  id?: string;
  version?: number;
  firstName: string;
  lastName: string;
  emails: Row[];
  phones: Row[];
  address: string;
  organizationId: string;
  ownerId: string;
  visibility: string;
  customFields: Record<string, string>;
};

const EMAIL_LABELS = ["work", "home", "other"];
const PHONE_LABELS = ["mobile", "work", "home", "other"];

export function PersonForm({
  action,
  values,
  options,
  submitLabel,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  values: PersonFormValues;
  options: PersonFormOptions;
  submitLabel: string;
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const errors = state.fieldErrors ?? {};
  const t = useTranslations("personForm");
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-6" noValidate>
      {state.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}
      {values.version ? <input type="hidden" name="version" value={values.version} /> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="firstName" label={t("firstName")} error={errors.firstName}>
          <Input id="firstName" name="firstName" defaultValue={values.firstName} maxLength={120} aria-invalid={!!errors.firstName} />
        </Field>
        <Field id="lastName" label={t("lastName")} error={errors.lastName}>
          <Input id="lastName" name="lastName" defaultValue={values.lastName} maxLength={120} aria-invalid={!!errors.lastName} />
        </Field>
      </div>
      <RowsField
        legend={t("emails")}
        kind="email"
        initial={values.emails}
        labels={EMAIL_LABELS}
        errors={errors}
        errorKey="emails"
      />
      <RowsField legend={t("phones")} kind="phone" initial={values.phones} labels={PHONE_LABELS} errors={errors} errorKey="phones" />
      <Field id="address" label={t("address")} error={errors.address}>
        <Textarea id="address" name="address" defaultValue={values.address} maxLength={500} rows={2} aria-invalid={!!errors.address} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="organizationId" label={t("organization")} error={errors.organizationId}>
          <Select id="organizationId" name="organizationId" defaultValue={values.organizationId}>
            <option value="">{t("noOrganization")}</option>
            {options.organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="ownerId" label={t("owner")} error={errors.ownerId}>
          <Select id="ownerId" name="ownerId" defaultValue={values.ownerId}>
            {options.owners.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field id="visibility" label={t("visibleTo")} error={errors.visibility}>
        <Select id="visibility" name="visibility" defaultValue={values.visibility} aria-invalid={!!errors.visibility}>
          {options.visibilities.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label} — {v.hint}
            </option>
          ))}
        </Select>
      </Field>
      {options.customFields.length > 0 ? (
        <fieldset className="space-y-4">
          <legend className="text-sm font-semibold text-slate-900">{t("more")}</legend>
          {options.customFields.map((f) => {
            const id = `cf-${f.id}`;
            const error = errors[`customFields.${f.id}`];
            return (
              <Field key={f.id} id={id} label={f.name} error={error}>
                {f.type === "long_text" || f.type === "address" ? (
                  <Textarea id={id} name={`cf.${f.id}`} defaultValue={values.customFields[f.id] ?? ""} maxLength={5000} />
                ) : (
                  <Input id={id} name={`cf.${f.id}`} defaultValue={values.customFields[f.id] ?? ""} maxLength={5000} />
                )}
              </Field>
            );
          })}
        </fieldset>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? t("saving") : submitLabel}
        </Button>
      </div>
    </form>
  );
}

function RowsField({
  legend,
  kind,
  initial,
  labels,
  errors,
  errorKey,
}: {
  legend: string;
  kind: "email" | "phone";
  initial: Row[];
  labels: string[];
  errors: Record<string, string>;
  errorKey: string;
}) {
  const [rows, setRows] = useState<(Row & { key: number })[]>(() =>
    (initial.length > 0 ? initial : [{ value: "", label: labels[0]! }]).map((r, key) => ({ ...r, key })),
  );
  const [nextKey, setNextKey] = useState(rows.length);
  const listError = errors[errorKey];
  const t = useTranslations("personForm");
  return (
    <fieldset className="space-y-2">
      <legend className="mb-1.5 text-sm font-medium text-slate-700">{legend}</legend>
      {rows.map((row, i) => {
        const error = errors[`${errorKey}.${i}.value`] ?? errors[`${errorKey}.${i}.label`];
        const inputId = `${kind}-${row.key}`;
        const allLabels = labels.includes(row.label) ? labels : [...labels, row.label];
        return (
          <div key={row.key}>
            <div className="flex gap-2">
              <label htmlFor={inputId} className="sr-only">
                {t(kind, { n: i + 1 })}
              </label>
              <Input
                id={inputId}
                name={`${kind}Value`}
                type={kind === "email" ? "email" : "tel"}
                defaultValue={row.value}
                aria-invalid={!!error}
                className="min-w-0 flex-1"
              />
              <Select name={`${kind}Label`} defaultValue={row.label} aria-label={t(kind === "email" ? "emailLabel" : "phoneLabel", { n: i + 1 })} className="w-28 flex-none">
                {allLabels.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </Select>
              <Button
                type="button"
                variant="ghost"
                aria-label={t(kind === "email" ? "removeEmail" : "removePhone", { n: i + 1 })}
                onClick={() => setRows(rows.filter((r) => r.key !== row.key))}
              >
                ✕
              </Button>
            </div>
            {error ? <p className="mt-1 text-xs font-medium text-red-600">{error}</p> : null}
          </div>
        );
      })}
      {listError ? <p className="text-xs font-medium text-red-600">{listError}</p> : null}
      <Button
        type="button"
        variant="secondary"
        onClick={() => {
          setRows([...rows, { value: "", label: labels[0]!, key: nextKey }]);
          setNextKey(nextKey + 1);
        }}
      >
        {t(kind === "email" ? "addEmail" : "addPhone")}
      </Button>
    </fieldset>
  );
}
