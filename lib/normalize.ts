// The one normalisation for text, e-mail addresses and phone numbers, shared by forms and sync.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/** NFC, trimmed, inner runs of white space folded to one space. */
export function normalizeText(value: string): string {
  return value.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** `value` without the characters at its end that `drop` matches, one character at a time. A
 * regular expression anchored at the end (`/[ \t]+$/`) would be tried from every position of a
 * long run that does not end the text: quadratic, and a provider's payload may hold such a run. */
export function trimEndWhere(value: string, drop: (char: string) => boolean): string {
  let end = value.length;
  while (end > 0 && drop(value[end - 1]!)) end--;
  return value.slice(0, end);
}

/** An e-mail address as forms and sign-ins accept it: no white space, one "@", a domain of
 * dot-separated labels. */
export function isEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(value);
}

export function normalizeEmail(value: string): string {
  return normalizeText(value).toLowerCase();
}

/** E.164 when the number parses (national numbers read in the company's country), else the
 * trimmed text as typed: an unparseable number is kept, never dropped. */
export function normalizePhone(value: string, defaultCountry: string): string {
  const text = normalizeText(value);
  const parsed = parsePhoneNumberFromString(text, defaultCountry.toUpperCase() as CountryCode);
  if (!parsed?.isValid()) return text;
  // Keep an extension (RFC 3966 style), which E.164 alone would drop.
  return parsed.ext ? `${parsed.number};ext=${parsed.ext}` : parsed.number;
}
