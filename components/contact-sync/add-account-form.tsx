"use client";

import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { providerForEmail, serviceForEmail, type ProviderProfile } from "@/lib/sync/providers/detect";
import { Alert } from "../ui/card";
import { Button } from "../ui/button";
import { Field, Input } from "../ui/field";
import { useFormAction } from "../ui/use-form-action";
import { formatList } from "@/lib/format";

/** A demo account of a provider that signs in with a password, with its local server. */
export type PasswordDemo = { providerId: string; account: string; password: string; serverUrl: string };

export function AddAccountForm({
  action,
  providers,
  passwordDemos = [],
  initialEmail = "",
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  providers: ProviderProfile[];
  passwordDemos?: PasswordDemo[];
  initialEmail?: string;
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const [email, setEmail] = useState(initialEmail);
  const [chosen, setChosen] = useState<string | null>(null);
  const detected = providerForEmail(email, providers);
  const needsChoice = email.includes("@") && email.split("@")[1]!.includes(".") && !detected;
  const provider = detected ?? (needsChoice ? (providers.find((p) => p.id === chosen) ?? providers[0]) : null);
  const signsInWithPassword = Boolean(provider?.services);
  const t = useTranslations("addAccount");
  const locale = useLocale();
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {state.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Field
        id="account-email"
        label={t("email")}
        hint={
          detected
            ? t("detected", { provider: detected.shortName })
            : t("accounts", { accounts: formatList(providers.map((p) => p.accounts), locale) })
        }
        error={state.fieldErrors?.email}
      >
        <Input
          id="account-email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="name@gmail.com"
          aria-invalid={!!state.fieldErrors?.email}
        />
      </Field>
      {needsChoice ? (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">{t("whichProvider")}</legend>
          {providers.map((p) => (
            <label key={p.id} className="flex items-center gap-2 text-sm">
              <input type="radio" name="provider" value={p.id} checked={provider?.id === p.id} onChange={() => setChosen(p.id)} /> {p.shortName}
            </label>
          ))}
        </fieldset>
      ) : detected ? (
        <input type="hidden" name="provider" value={detected.id} />
      ) : null}
      {provider && signsInWithPassword ? (
        <PasswordFields key={`${provider.id}:${email}`} provider={provider} email={email} demo={passwordDemos.find((d) => d.providerId === provider.id && d.account === email.trim().toLowerCase())} state={state} />
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? (signsInWithPassword ? t("checking") : t("opening")) : signsInWithPassword ? t("connect") : t("addNew")}
      </Button>
    </form>
  );
}

/** Server, username and app password, for providers that sign in with a password (CardDAV). */
function PasswordFields({ provider, email, demo, state }: { provider: ProviderProfile; email: string; demo?: PasswordDemo; state: ActionState }) {
  const service = serviceForEmail(email, provider);
  const errors = state.fieldErrors ?? {};
  const t = useTranslations("addAccount");
  return (
    <div className="space-y-4 rounded-md border border-slate-200 p-4">
      <Field
        id="account-server"
        label={t("server")}
        hint={service ? t("serverOf", { service: service.name }) : t("serverHelp")}
        error={errors.serverUrl}
      >
        <Input
          id="account-server"
          name="serverUrl"
          type="url"
          inputMode="url"
          defaultValue={demo?.serverUrl ?? service?.serverUrl ?? ""}
          placeholder="https://carddav.example.com"
          aria-invalid={!!errors.serverUrl}
        />
      </Field>
      <Field id="account-username" label={t("username")} hint={t("usernameHint")} error={errors.username}>
        <Input id="account-username" name="username" autoComplete="username" defaultValue={email.trim()} aria-invalid={!!errors.username} />
      </Field>
      <Field
        id="account-password"
        label={t("password")}
        hint={demo ? t("demoPassword", { password: demo.password }) : (service?.passwordHelp ?? t("passwordHelp"))}
        error={errors.password}
      >
        <Input id="account-password" name="password" type="password" autoComplete="off" defaultValue={demo?.password ?? ""} aria-invalid={!!errors.password} />
      </Field>
    </div>
  );
}
