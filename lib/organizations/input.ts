import { z } from "zod";
import { normalizeText } from "@/lib/normalize";

export const organizationInputSchema = z.object({
  name: z
    .string()
    .transform(normalizeText)
    .pipe(z.string().min(1, "Enter the organization's name").max(200, "The name is at most 200 characters")),
  address: z
    .string()
    .transform(normalizeText)
    .pipe(z.string().max(500, "The address is at most 500 characters"))
    .transform((v) => v || null),
});

export type OrganizationInput = z.infer<typeof organizationInputSchema>;

export function organizationFormToObject(form: FormData) {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  return { name: text("name"), address: text("address") };
}
