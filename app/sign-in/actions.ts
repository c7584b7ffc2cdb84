"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { signIn } from "@/lib/auth";

/** The form's fields, with messages in the request's language. */
function schemaIn(t: (key: string) => string) {
  return z.object({
    email: z.string().trim().min(1, t("emailMissing")).max(254, t("emailTooLong")),
    password: z.string().min(1, t("passwordMissing")).max(1024, t("passwordTooLong")),
    next: z.string().optional(),
  });
}

/** Only same-site paths: a crafted ?next= must not send anyone to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/persons";
}

export async function signInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const t = await getTranslations("signIn.errors");
  const parsed = schemaIn(t).safeParse({
    email: formData.get("email") ?? "",
    password: formData.get("password") ?? "",
    next: formData.get("next") ?? undefined,
  });
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
    return { ok: false, message: Object.values(fieldErrors)[0], fieldErrors };
  }
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: safeNext(parsed.data.next),
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof CredentialsSignin && error.code === "throttled") {
      return { ok: false, message: t("throttled") };
    }
    if (error instanceof AuthError) {
      return { ok: false, message: t("mismatch") };
    }
    throw error;
  }
}
