// Reads a person form's FormData into the shape personInputSchema validates. Repeated rows
// (e-mails, phones) arrive as parallel lists; blank rows are dropped, not errors.
export function personFormToObject(form: FormData) {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const rows = (valueName: string, labelName: string) => {
    const values = form.getAll(valueName).map(String);
    const labels = form.getAll(labelName).map(String);
    return values
      .map((value, i) => ({ value, label: labels[i] ?? "" }))
      .filter((row) => row.value.trim() !== "");
  };
  const customFields: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (key.startsWith("cf.") && typeof value === "string") customFields[key.slice(3)] = value;
  }
  const organizationId = text("organizationId");
  const ownerId = text("ownerId");
  return {
    firstName: text("firstName"),
    lastName: text("lastName"),
    emails: rows("emailValue", "emailLabel"),
    phones: rows("phoneValue", "phoneLabel"),
    address: text("address"),
    organizationId: organizationId || null,
    ownerId: ownerId || undefined,
    visibility: text("visibility"),
    customFields,
  };
}
