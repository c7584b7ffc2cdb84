// The one entry point for server actions. Server actions are public POST endpoints, so each
// one validates its input, loads who is asking, and only then runs its body; the body's own
// queries check what that viewer may touch. Expected failures come back as a message for the
// form, in the user's language; anything else is logged and reported generically.
import { unstable_rethrow } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { z } from "zod";
import { getDb } from "@/db";
import type { DB } from "@/db/client";
import type { Viewer } from "@/db/queries/visibility";
import type { ActionState } from "./action-state";
import { translateUserError, UserError } from "./errors";
import { currentViewer } from "./viewer";

export type { ActionState };

type Ctx = { db: DB; viewer: Viewer };

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}

/** Wraps a body that takes parsed input. `parse` turns the raw argument (FormData, or an
 * object from a client call) into the input; a ZodError thrown there or in the body (which
 * may validate against the viewer's company) comes back as field errors. */
export async function runAction<T>(
  parse: () => T | Promise<T>,
  body: (input: T, ctx: Ctx) => Promise<ActionState | void>,
): Promise<ActionState> {
  try {
    const viewer = await currentViewer();
    if (!viewer) return { ok: false, message: (await getTranslations("actions"))("sessionEnded") };
    const input = await parse();
    const result = await body(input, { db: await getDb(), viewer });
    return result ?? { ok: true };
  } catch (error) {
    unstable_rethrow(error);
    if (isZodError(error)) {
      const fieldErrors = fieldErrorsOf(error);
      return { ok: false, message: Object.values(fieldErrors)[0] ?? (await getTranslations("actions"))("checkForm"), fieldErrors };
    }
    if (error instanceof UserError) return { ok: false, ...translateUserError(error, await getTranslations()) };
    console.error("[action] unexpected error", error instanceof Error ? error.stack : error);
    return { ok: false, message: (await getTranslations("actions"))("unexpected") };
  }
}

function isZodError(error: unknown): error is z.ZodError {
  return typeof error === "object" && error !== null && (error as { name?: string }).name === "ZodError";
}
