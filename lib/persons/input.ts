// What a person form may submit, validated and normalised. Used by the server actions; the
// same limits are shown in the form.
import { z } from "zod";
import { VISIBILITIES } from "@/db/schema";
import { normalizeEmail, normalizePhone, normalizeText } from "@/lib/normalize";

export const NAME_MAX = 120;
export const LABEL_MAX = 40;
export const ADDRESS_MAX = 500;
export const CUSTOM_VALUE_MAX = 5000;
export const MAX_EMAILS = 20;
export const MAX_PHONES = 20;

const label = z
  .string()
  .transform(normalizeText)
  .pipe(z.string().max(LABEL_MAX, `Labels are at most ${LABEL_MAX} characters`))
  .transform((v) => v || "other");

const name = (what: string) =>
  z
    .string()
    .transform(normalizeText)
    .pipe(z.string().max(NAME_MAX, `${what} is at most ${NAME_MAX} characters`));

const emailEntry = z.object({
  value: z
    .string()
    .transform(normalizeEmail)
    .pipe(z.email("Enter a valid e-mail address, like name@example.com").max(254, "E-mail addresses are at most 254 characters")),
  label,
});

const phoneEntry = (country: string) =>
  z.object({
    value: z
      .string()
      .transform(normalizeText)
      .pipe(
        z
          .string()
          .max(40, "Phone numbers are at most 40 characters")
          .refine((v) => (v.match(/\d/g)?.length ?? 0) >= 3, "Enter a phone number with at least 3 digits"),
      )
      .transform((v) => normalizePhone(v, country)),
    label,
  });

export function personInputSchema(defaultCountry: string) {
  return z
    .object({
      firstName: name("First name"),
      lastName: name("Last name"),
      emails: z.array(emailEntry).max(MAX_EMAILS, `At most ${MAX_EMAILS} e-mail addresses`),
      phones: z.array(phoneEntry(defaultCountry)).max(MAX_PHONES, `At most ${MAX_PHONES} phone numbers`),
      address: z
        .string()
        .transform(normalizeText)
        .pipe(z.string().max(ADDRESS_MAX, `The address is at most ${ADDRESS_MAX} characters`))
        .transform((v) => v || null),
      organizationId: z.uuid("Choose an organization from the list").nullable(),
      ownerId: z.uuid("Choose an owner from the list").optional(),
      visibility: z.enum(VISIBILITIES, "Choose who can see this person"),
      customFields: z.record(
        z.string(),
        z.string().max(CUSTOM_VALUE_MAX, `Custom field values are at most ${CUSTOM_VALUE_MAX} characters`),
      ),
    })
    .refine((p) => p.firstName.length + p.lastName.length > 0, {
      message: "Enter a first or last name",
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
