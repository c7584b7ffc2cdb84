// The languages the interface speaks, and which one a request gets: the user's own setting
// (Settings > Personal), else the browser's Accept-Language, else English.

export const LOCALES = ["en", "sv"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language named in itself, for the language setting. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", sv: "Svenska" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The first of our languages in an Accept-Language header, by its q-values (RFC 9110 §12.5.4):
 * "sv-SE,sv;q=0.9,en;q=0.8" → "sv". Null when it names none of them. */
export function negotiateLocale(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .split(",")
    .map((part, order) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), order };
    })
    .filter((r) => r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranges.map((r) => r.language).find(isLocale) ?? null;
}
