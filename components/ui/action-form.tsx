"use client";

import type { ReactNode } from "react";
import type { ActionState } from "@/lib/action-state";
import { useFormAction } from "./use-form-action";

/** A form around server-rendered fields that posts to a server action and shows its outcome. */
export function ActionForm({
  action,
  children,
  className,
  label,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  children: ReactNode;
  className?: string;
  label?: string;
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  return (
    <form action={formAction} onSubmit={onSubmit} className={className} aria-label={label} aria-busy={pending} noValidate>
      {children}
      {state.message ? (
        <p role={state.ok ? "status" : "alert"} className={`basis-full text-xs font-medium ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
