/** A display name for an account created from just an e-mail address: "jane.doe@x" → "Jane Doe". */
export function defaultName(email: string): string {
  const local = email.split("@")[0] ?? email;
  return local
    .split(/[._-]+/)
    .filter((p) => p !== "")
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join(" ");
}
