// next-intl's configuration for each request (next.config.ts points its plugin here): the
// locale (locales.ts) and its messages.
import { headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { currentViewer } from "@/lib/viewer";
import { DEFAULT_LOCALE, negotiateLocale, type Locale } from "./locales";

/** The browser's language (its Accept-Language), else English. */
export async function browserLocale(): Promise<Locale> {
  return negotiateLocale((await headers()).get("accept-language")) ?? DEFAULT_LOCALE;
}

/** The signed-in user's language, else the browser's. */
export async function requestLocale(): Promise<Locale> {
  return (await currentViewer())?.locale ?? browserLocale();
}

export default getRequestConfig(async () => {
  const locale = await requestLocale();
  return {
    locale,
    messages: (await import(`./messages/${locale}.json`)).default,
    // The server's zone, as the dates rendered before this were.
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    // One "now" for the request, handed to the browser too: relative times ("3 minutes ago")
    // render the same on the server and when the page hydrates.
    now: new Date(),
  };
});
