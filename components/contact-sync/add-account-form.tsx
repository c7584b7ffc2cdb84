"use client";

import { useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { providerForEmail, type ProviderProfile } from "@/lib/sync/providers/detect";
import { Alert } from "../ui/card";
import { Button } from "../ui/button";
import { Field, Input } from "../ui/field";
import { useFormAction } from "../ui/use-form-action";

export function AddAccountForm({
  action,
  providers,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  providers: ProviderProfile[];
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const [email, setEmail] = useState("");
  const detected = providerForEmail(email, providers);
  const needsChoice = email.includes("@") && email.split("@")[1]!.includes(".") && !detected;
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {state.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Field
        id="account-email"
        label="E-mail address of the account"
        hint={detected ? `This is a ${detected.shortName} account.` : `${providers.map((p) => p.accounts).join(" and ")} accounts.`}
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
          {providers.map((p, i) => (
            <label key={p.id} className="flex items-center gap-2 text-sm">
              <input type="radio" name="provider" value={p.id} defaultChecked={i === 0} /> {p.shortName}
            </label>
          ))}
        </fieldset>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Opening…" : "Add new account"}
      </Button>
    </form>
  );
}
