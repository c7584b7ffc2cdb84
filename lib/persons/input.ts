// What a person form may submit, validated and normalised. Used by the server actions; the
// same limits are shown in the form. It speaks the user's language: the caller passes the
// translator of its messages (getTranslations("personForm.errors") on the server).
import { z } from "zod";
import { VISIBILITIES } from "@/db/schema";
import { normalizeEmail, normalizePhone, normalizeText } from "@/lib/normalize";

export const NAME_MAX = 120;
export const LABEL_MAX = 40;
export const ADDRESS_MAX = 500;
export const CUSTOM_VALUE_MAX = 5000;
export const MAX_EMAILS = 20;
export const MAX_PHONES = 20;

const EMAIL_MAX = 254;
const PHONE_MAX = 40;
const PHONE_MIN_DIGITS = 3;

/** The translator of the "personForm.errors" messages (lib/i18n/messages). */
export type PersonInputMessages = (key: string, values?: Record<string, string | number>) => string;

export function personInputSchema(defaultCountry: string, t: PersonInputMessages) {
  const label = z
    .string()
    .transform(normalizeText)
    .pipe(z.string().max(LABEL_MAX, t("labelTooLong", { max: LABEL_MAX })))
    .transform((v) => v || "other");

  const name = (tooLong: string) => z.string().transform(normalizeText).pipe(z.string().max(NAME_MAX, tooLong));

  const emailEntry = z.object({
    value: z
      .string()
      .transform(normalizeEmail)
      .pipe(z.email(t("emailInvalid")).max(EMAIL_MAX, t("emailTooLong", { max: EMAIL_MAX }))),
    label,
  });

  const phoneEntry = z.object({
    value: z
      .string()
      .transform(normalizeText)
      .pipe(
        z
          .string()
          .max(PHONE_MAX, t("phoneTooLong", { max: PHONE_MAX }))
          .refine((v) => (v.match(/\d/g)?.length ?? 0) >= PHONE_MIN_DIGITS, t("phoneDigits", { min: PHONE_MIN_DIGITS })),
      )
      .transform((v) => normalizePhone(v, defaultCountry)),
    label,
  });

  return z
    .object({
      firstName: name(t("firstNameTooLong", { max: NAME_MAX })),
      lastName: name(t("lastNameTooLong", { max: NAME_MAX })),
      emails: z.array(emailEntry).max(MAX_EMAILS, t("tooManyEmails", { max: MAX_EMAILS })),
      phones: z.array(phoneEntry).max(MAX_PHONES, t("tooManyPhones", { max: MAX_PHONES })),
      address: z
        .string()
        .transform(normalizeText)
        .pipe(z.string().max(ADDRESS_MAX, t("addressTooLong", { max: ADDRESS_MAX })))
        .transform((v) => v || null),
      organizationId: z.uuid(t("organizationUnknown")).nullable(),
      ownerId: z.uuid(t("ownerUnknown")).optional(),
      visibility: z.enum(VISIBILITIES, t("visibilityUnknown")),
      customFields: z.record(z.string(), z.string().max(CUSTOM_VALUE_MAX, t("customFieldTooLong", { max: CUSTOM_VALUE_MAX }))),
    })
    .refine((p) => p.firstName.length + p.lastName.length > 0, {
      message: t("nameMissing"),
      path: ["firstName"],
    })
    .transform((p) => ({
      ...p,
      emails: dedupeBy(p.emails, (e) => e.value),
      phones: dedupeBy(p.phones, (e) => e.value),
    }));
}

export type PersonInput = z.infer<ReturnType<typeof personInputSchema>>;

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What the persons search matches: names, e-mails and phone digits, lower-cased. */
export function personSearchText(p: {
  firstName: string;
  lastName: string;
  emails: { value: string }[];
  phones: { value: string }[];
}): string {
  return [p.firstName, p.lastName, ...p.emails.map((e) => e.value), ...p.phones.map((ph) => ph.value.replace(/[^\d+]/g, ""))]
    .join(" ")
    .toLowerCase();
}
