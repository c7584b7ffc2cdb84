"use client";

import { useTranslations } from "next-intl";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { signInAction } from "./actions";

export function SignInForm({ next }: { next?: string }) {
  const { state, formAction, onSubmit, pending } = useFormAction(signInAction);
  const t = useTranslations("signIn");
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {state.message ? <Alert>{state.message}</Alert> : null}
      <input type="hidden" name="next" value={next ?? ""} />
      <Field id="email" label={t("email")} error={state.fieldErrors?.email}>
        <Input id="email" name="email" type="email" autoComplete="username" required aria-invalid={!!state.fieldErrors?.email} />
      </Field>
      <Field id="password" label={t("password")} error={state.fieldErrors?.password}>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={!!state.fieldErrors?.password}
        />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("pending") : t("submit")}
      </Button>
    </form>
  );
}
