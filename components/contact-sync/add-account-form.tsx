"use client";

import { useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { providerForEmail, serviceForEmail, type ProviderProfile } from "@/lib/sync/providers/detect";
import { Alert } from "../ui/card";
import { Button } from "../ui/button";
import { Field, Input } from "../ui/field";
import { useFormAction } from "../ui/use-form-action";

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
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {state.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Field
        id="account-email"
        label="E-mail address of the account"
        hint={detected ? `This is a ${detected.shortName} account.` : `${providers.map((p) => p.accounts).join(", ")} accounts.`}
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
          <legend className="text-sm font-medium text-slate-700">Which provider is it?</legend>
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
        {pending ? (signsInWithPassword ? "Checking…" : "Opening…") : signsInWithPassword ? "Connect" : "Add new account"}
      </Button>
    </form>
  );
}

/** Server, username and app password, for providers that sign in with a password (CardDAV). */
function PasswordFields({ provider, email, demo, state }: { provider: ProviderProfile; email: string; demo?: PasswordDemo; state: ActionState }) {
  const service = serviceForEmail(email, provider);
  const errors = state.fieldErrors ?? {};
  return (
    <div className="space-y-4 rounded-md border border-slate-200 p-4">
      <Field
        id="account-server"
        label="Server address"
        hint={service ? `${service.name}'s CardDAV server.` : "Your service's help names it, like https://cloud.example.com/remote.php/dav for Nextcloud."}
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
      <Field id="account-username" label="Username" hint="Usually the e-mail address." error={errors.username}>
        <Input id="account-username" name="username" autoComplete="username" defaultValue={email.trim()} aria-invalid={!!errors.username} />
      </Field>
      <Field
        id="account-password"
        label="App password"
        hint={demo ? `Demo account: its password is ${demo.password}.` : (service?.passwordHelp ?? "Use an app-specific password where your service issues one. It is stored encrypted and never shown again.")}
        error={errors.password}
      >
        <Input id="account-password" name="password" type="password" autoComplete="off" defaultValue={demo?.password ?? ""} aria-invalid={!!errors.password} />
      </Field>
    </div>
  );
}
