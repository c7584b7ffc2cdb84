import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sv from "@/lib/i18n/messages/sv.json";
import { LAST_ERROR, lastErrorText, type LastErrorKey } from "./last-error";

/** The "errors.lastError" messages in a language, as the dashboard gets them from useTranslations. */
function reader(locale: "en" | "sv"): (key: LastErrorKey) => string {
  const t = createTranslator({ locale, messages: locale === "en" ? en : sv, namespace: "errors.lastError" });
  return (key) => t(key);
}

describe("a connection's last error on the dashboard", () => {
  it("has a message for every text sync stores, and no other", () => {
    expect(Object.keys(en.errors.lastError).sort()).toEqual(Object.keys(LAST_ERROR).sort());
  });

  it("reads in English exactly as stored, so rows written before read the same", () => {
    for (const text of Object.values(LAST_ERROR)) expect(lastErrorText(text, reader("en"))).toBe(text);
  });

  it("reads the texts sync stores in Swedish", () => {
    const t = reader("sv");
    expect(lastErrorText("The account's access was revoked or has expired. Reconnect the account to resume syncing.", t)).toBe(
      "Kontots åtkomst har återkallats eller gått ut. Anslut kontot igen för att fortsätta synka.",
    );
    expect(lastErrorText(LAST_ERROR.heldDeletions, t)).toBe("Raderingar hålls inne: bekräfta eller avvisa dem.");
    for (const key of Object.keys(LAST_ERROR) as LastErrorKey[]) expect(lastErrorText(LAST_ERROR[key], t)).toBe(sv.errors.lastError[key]);
  });

  it("shows any other text (a provider's own error) as it is", () => {
    const providerSaid = "Request had insufficient authentication scopes.";
    expect(lastErrorText(providerSaid, reader("sv"))).toBe(providerSaid);
  });
});
