// Dates and lists as the UI shows them, in the interface's language. One formatter per language, made
// once: toLocaleString with options builds a new Intl formatter on every call, which costs more
// than rendering the row. (Numbers and plurals are the messages' ICU arguments: lib/i18n.)
import { DEFAULT_LOCALE, type Locale } from "./i18n/locales";

/** The regional conventions each interface language writes dates in. */
const REGION: Record<Locale, string> = { en: "en-GB", sv: "sv-SE" };

const dateTimes = new Map<Locale, Intl.DateTimeFormat>();

/** "24 Nov 2026, 23:31"; in Swedish "24 nov. 2026 23:31". */
export function formatDateTime(date: Date | string, locale: Locale = DEFAULT_LOCALE): string {
  let format = dateTimes.get(locale);
  if (!format) dateTimes.set(locale, (format = new Intl.DateTimeFormat(REGION[locale], { dateStyle: "medium", timeStyle: "short" })));
  return format.format(typeof date === "string" ? new Date(date) : date);
}

const lists = new Map<string, Intl.ListFormat>();

/** "a, b and c" (conjunction) or "a, b or c" (disjunction), in the interface's language. */
export function formatList(items: readonly string[], locale: string = DEFAULT_LOCALE, type: "conjunction" | "disjunction" = "conjunction"): string {
  const key = `${locale}|${type}`;
  let format = lists.get(key);
  if (!format) lists.set(key, (format = new Intl.ListFormat(locale, { type })));
  return format.format(items);
}
