// Where a CardDAV password may go, decided once, at sign-in, and stored sealed with it: the
// origin the user typed, and origins the discovery leads to that are https and belong to the
// same registrable domain as the typed host (iCloud: discovery at contacts.icloud.com, the
// address books at pNN-contacts.icloud.com). The registrable domain comes from the public-suffix
// list (tldts, with the private suffixes too: two sites on github.io are not one domain), never
// from cutting host names apart by hand. After sign-in, requests go only to the stored origins.
import { getDomain } from "tldts";

/** The registrable domain of a host name (null for an address, or a name that has none). */
export function registrableDomain(hostname: string): string | null {
  return getDomain(hostname, { allowPrivateDomains: true });
}

/** The sign-in rule: may a request (and the password) go to `url`, for a server typed as `typed`? */
export function signInMayReach(typed: URL, url: URL): boolean {
  if (url.origin === typed.origin) return true;
  if (url.protocol !== "https:" || url.username || url.password) return false;
  const domain = registrableDomain(typed.hostname);
  return domain !== null && registrableDomain(url.hostname) === domain;
}

/** After sign-in: requests go only to the origins stored with the password. */
export function storedOriginsAllow(origins: readonly string[]): (url: URL) => boolean {
  const allowed = new Set(origins);
  return (url) => allowed.has(url.origin);
}
