// Dates and counts as the UI shows them, in the interface's language. One formatter per
// language, made once: toLocaleString with options builds a new Intl formatter on every call,
// which costs more than rendering the row.
import { DEFAULT_LOCALE, type Locale } from "./i18n/locales";

/** The regional conventions each interface language writes dates and numbers in. */
const REGION: Record<Locale, string> = { en: "en-GB", sv: "sv-SE" };

const dateTimes = new Map<Locale, Intl.DateTimeFormat>();
const counts = new Map<Locale, Intl.NumberFormat>();

function cached<T>(map: Map<Locale, T>, locale: Locale, make: (tag: string) => T): T {
  let formatter = map.get(locale);
  if (!formatter) map.set(locale, (formatter = make(REGION[locale])));
  return formatter;
}

/** "24 Nov 2026, 23:31"; in Swedish "24 nov. 2026 23:31". */
export function formatDateTime(date: Date | string, locale: Locale = DEFAULT_LOCALE): string {
  const format = cached(dateTimes, locale, (tag) => new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeStyle: "short" }));
  return format.format(typeof date === "string" ? new Date(date) : date);
}

/** "25,000"; in Swedish "25 000". */
export function formatCount(n: number, locale: Locale = DEFAULT_LOCALE): string {
  return cached(counts, locale, (tag) => new Intl.NumberFormat(tag)).format(n);
}
