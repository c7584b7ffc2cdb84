"use server";

import { revalidatePath } from "next/cache";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { setOwnLocale } from "@/db/queries/users";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { LOCALES } from "@/lib/i18n/locales";
import { browserLocale } from "@/lib/i18n/request";

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
      const now = locale || (await browserLocale());
      const saved = await getTranslations({ locale: now, namespace: "settings.language" });
      return { ok: true, message: saved("saved") };
    },
  );
}
