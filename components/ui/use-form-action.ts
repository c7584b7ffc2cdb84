"use client";

import { startTransition, useActionState, type FormEvent } from "react";
import { INITIAL_STATE, type ActionState } from "@/lib/action-state";

/** A server action bound to a form that keeps what the user typed when the action fails
 * (React resets uncontrolled fields after a form action; submitting through a transition
 * does not). `formAction` stays on the form so it still posts without JavaScript. */
export function useFormAction(action: (state: ActionState, form: FormData) => Promise<ActionState>) {
  const [state, formAction, pending] = useActionState(action, INITIAL_STATE);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => formAction(data));
  };
  return { state, formAction, onSubmit, pending };
}
