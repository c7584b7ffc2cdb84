// Phones are stored in E.164 (+46812345678) and shown as people write them: in the national
// format of the company's own country (08-123 456 78 in Sweden), in the international format
// otherwise (+46 8 123 456 78), and as stored when they do not parse.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

export function displayPhone(value: string, companyCountry: string): string {
  const parsed = parsePhoneNumberFromString(value, companyCountry.toUpperCase() as CountryCode);
  if (!parsed) return value;
  return parsed.country === companyCountry.toUpperCase() ? parsed.formatNational() : parsed.formatInternational();
}

/** The number as a tel: URI (RFC 3966): digits and a leading +, nothing else. */
export function telHref(value: string): string {
  const parsed = parsePhoneNumberFromString(value);
  return `tel:${parsed ? parsed.number : value.replace(/[^\d+]/g, "")}`;
}
