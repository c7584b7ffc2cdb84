"use client";

import { useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { providerForEmail } from "@/lib/sync/provider-detect";
import { Alert } from "../ui/card";
import { Button } from "../ui/button";
import { Field, Input } from "../ui/field";
import { useFormAction } from "../ui/use-form-action";

export function AddAccountForm({ action }: { action: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  const [email, setEmail] = useState("");
  const detected = providerForEmail(email);
  const needsChoice = email.includes("@") && email.split("@")[1]!.includes(".") && !detected;
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {state.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Field
        id="account-email"
        label="E-mail address of the account"
        hint={detected ? `This is a ${detected === "google" ? "Google" : "Microsoft"} account.` : "Google (Gmail) and Microsoft (Outlook, Live, MSN, Hotmail, Microsoft 365) accounts."}
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
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="provider" value="google" defaultChecked /> Google
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="provider" value="microsoft" /> Microsoft
          </label>
        </fieldset>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Opening…" : "Add new account"}
      </Button>
    </form>
  );
}
