"use client";

import { useTranslations } from "next-intl";
import type { ActionState } from "@/lib/action-state";
import { LOCALE_NAMES, LOCALES, type Locale } from "@/lib/i18n/locales";
import { Alert } from "./ui/card";
import { Button } from "./ui/button";
import { Field, Select } from "./ui/field";
import { useFormAction } from "./ui/use-form-action";

/** Settings > Personal: the user's language, or the browser's (named as it resolves now). */
export function LanguageForm({
  current,
  browser,
  action,
}: {
  current: Locale | null;
  browser: Locale;
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
}) {
  const t = useTranslations("settings.language");
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  return (
    <form action={formAction} onSubmit={onSubmit} className="mt-4 flex flex-wrap items-end gap-2">
      <Field id="locale" label={t("label")} error={state.ok ? undefined : state.fieldErrors?.locale} className="min-w-48 flex-1">
        <Select id="locale" name="locale" defaultValue={current ?? ""}>
          <option value="">{t("browser", { language: LOCALE_NAMES[browser] })}</option>
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" disabled={pending}>
        {t("save")}
      </Button>
      {state.message ? (
        <div className="w-full">
          <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert>
        </div>
      ) : null}
    </form>
  );
}
