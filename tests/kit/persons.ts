// A person as the person form submits it (validated and normalised by the form's own schema):
// empty but for what a test says.
import { createTranslator, type AbstractIntlMessages } from "next-intl";
import en from "@/lib/i18n/messages/en.json";
import { personInputSchema, type PersonInput } from "@/lib/persons/input";

const messages = createTranslator({ locale: "en", messages: en as AbstractIntlMessages, namespace: "personForm" });

export function personInput(over: Record<string, unknown> = {}): PersonInput {
  return personInputSchema("US", (key, values) => messages(`errors.${key}`, values as never)).parse({
    firstName: "",
    lastName: "",
    emails: [],
    phones: [],
    address: "",
    organizationId: null,
    visibility: "company",
    customFields: {},
    ...over,
  });
}
