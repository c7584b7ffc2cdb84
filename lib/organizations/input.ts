import { z } from "zod";
import { normalizeText } from "@/lib/normalize";

const NAME_MAX = 200;
const ADDRESS_MAX = 500;

/** The translator of the "organizations.errors" messages (lib/i18n/messages). */
export type OrganizationInputMessages = (key: string, values?: Record<string, string | number>) => string;

/** What an organization form may submit, its messages in the user's language: the caller passes
 * getTranslations("organizations.errors"). */
export function organizationInputSchema(t: OrganizationInputMessages) {
  return z.object({
    name: z
      .string()
      .transform(normalizeText)
      .pipe(z.string().min(1, t("nameMissing")).max(NAME_MAX, t("nameTooLong", { max: NAME_MAX }))),
    address: z
      .string()
      .transform(normalizeText)
      .pipe(z.string().max(ADDRESS_MAX, t("addressTooLong", { max: ADDRESS_MAX })))
      .transform((v) => v || null),
  });
}

export type OrganizationInput = z.infer<ReturnType<typeof organizationInputSchema>>;

export function organizationFormToObject(form: FormData) {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  return { name: text("name"), address: text("address") };
}
