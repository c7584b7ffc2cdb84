// Which provider an address belongs to, when its domain tells (shared by the form and the server).
export type DetectedProvider = "google" | "microsoft";

export function providerForEmail(email: string): DetectedProvider | null {
  const domain = email.trim().toLowerCase().split("@")[1] ?? "";
  if (domain === "gmail.com" || domain === "googlemail.com") return "google";
  if (["outlook.com", "live.com", "msn.com"].includes(domain) || /^hotmail\.[a-z.]+$/.test(domain)) return "microsoft";
  return null;
}
