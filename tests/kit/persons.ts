// A person as the person form submits it (validated and normalised by the form's own schema):
// empty but for what a test says.
import { personInputSchema, type PersonInput } from "@/lib/persons/input";

export function personInput(over: Record<string, unknown> = {}): PersonInput {
  return personInputSchema("US").parse({
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
