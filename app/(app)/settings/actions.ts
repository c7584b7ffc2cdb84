"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { setOwnLocale } from "@/db/queries/users";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { DEFAULT_LOCALE, LOCALES, negotiateLocale } from "@/lib/i18n/locales";

/** Settings > Personal: the interface's language, or "" for the browser's. */
export async function setLocaleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await getTranslations("settings.language");
  return runAction(
    () => z.union([z.enum(LOCALES), z.literal("")], t("invalid")).parse(form.get("locale")),
    async (locale, { db, viewer }) => {
      await setOwnLocale(db, viewer, locale === "" ? null : locale);
      // Every page speaks the new language from the next render on.
      revalidatePath("/", "layout");
      // Said in the language the pages now speak.
      const now = locale || (negotiateLocale((await headers()).get("accept-language")) ?? DEFAULT_LOCALE);
      const saved = await getTranslations({ locale: now, namespace: "settings.language" });
      return { ok: true, message: saved("saved") };
    },
  );
}
