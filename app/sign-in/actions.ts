"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { signIn } from "@/lib/auth";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your e-mail address").max(254, "That e-mail address is too long"),
  password: z.string().min(1, "Enter your password").max(1024, "That password is too long"),
  next: z.string().optional(),
});

/** Only same-site paths: a crafted ?next= must not send anyone to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/persons";
}

export async function signInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = schema.safeParse({
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
      return { ok: false, message: "Too many failed attempts. Wait a minute before trying again." };
    }
    if (error instanceof AuthError) {
      return { ok: false, message: "That e-mail address and password do not match." };
    }
    throw error;
  }
}
