// Which provider an account belongs to, from its address, where the domain tells. Plain data
// and a pure function, so the add-account form (a client component) and the server share it.

/** What the browser may know of a provider. */
export type ProviderProfile = {
  id: string;
  /** "Google Contacts" */
  label: string;
  /** "Google": in sentences and on the provider choice. */
  shortName: string;
  /** Where its contacts live, as a user says it: "in Google", "in Outlook". */
  appName: string;
  /** The accounts it covers, for the form's hint: "Google (Gmail)". */
  accounts: string;
  /** Domains whose addresses are this provider's; "hotmail.*" matches any ending. */
  domains: readonly string[];
  /** Providers signed in to with a password: the services known by their address domain, with
   * their server and where they issue app-specific passwords. */
  services?: readonly SignInService[];
};

export type SignInService = { name: string; domains: readonly string[]; serverUrl: string; passwordHelp: string };

/** The known service an address belongs to (its server is then prefilled). */
export function serviceForEmail(email: string, profile: ProviderProfile): SignInService | null {
  const domain = email.trim().toLowerCase().split("@")[1] ?? "";
  return profile.services?.find((s) => s.domains.some((d) => domainMatches(domain, d))) ?? null;
}

function domainMatches(domain: string, pattern: string): boolean {
  if (!pattern.endsWith(".*")) return domain === pattern;
  const prefix = pattern.slice(0, -1);
  return domain.startsWith(prefix) && /^[a-z.]+$/.test(domain.slice(prefix.length));
}

export function providerForEmail<P extends ProviderProfile>(email: string, profiles: readonly P[]): P | null {
  const domain = email.trim().toLowerCase().split("@")[1] ?? "";
  return profiles.find((p) => p.domains.some((d) => domainMatches(domain, d))) ?? null;
}
