"use client";

import type { ActionState } from "@/lib/action-state";
import { Button, type ButtonVariant } from "./button";
import { useFormAction } from "./use-form-action";

/** A one-button form posting hidden fields to a server action, with an optional confirmation
 * and the action's error shown beside the button. */
export function ActionButton({
  action,
  fields,
  children,
  variant = "secondary",
  confirm,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  fields: Record<string, string>;
  children: React.ReactNode;
  variant?: ButtonVariant;
  confirm?: string;
}) {
  const { state, formAction, onSubmit, pending } = useFormAction(action);
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) {
          event.preventDefault();
          return;
        }
        onSubmit(event);
      }}
      className="inline-flex flex-col items-start gap-1"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Button type="submit" variant={variant} disabled={pending}>
        {children}
      </Button>
      {!state.ok && state.message ? (
        <p role="alert" className="text-xs font-medium text-red-600">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
