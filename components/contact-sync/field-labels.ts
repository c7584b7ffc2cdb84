/** How the dashboard and the first-sync preview name a contact's fields. */
export const FIELD_LABELS: Record<string, string> = {
  firstName: "first name",
  lastName: "last name",
  emails: "e-mails",
  phones: "phones",
  address: "address",
  postalAddress: "postal address",
  ims: "IM",
  organization: "organization",
  jobTitle: "job title",
  notes: "notes",
  birthday: "birthday",
};
