/** How a person is named on screen: a synced contact may have no name, only an address or a number. */
export function personDisplayName(p: {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  emails?: { value: string }[];
  phones?: { value: string }[];
}): string {
  const name = [p.firstName, p.lastName].filter(Boolean).join(" ");
  return name || p.email || p.emails?.[0]?.value || p.phone || p.phones?.[0]?.value || "(no name)";
}
