import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sv from "@/lib/i18n/messages/sv.json";
import { conflictRule, conflictSentence } from "./conflict-text";

// The details as the engine writes them (lib/sync/engine/merge.ts, link.ts).
const twoWay = { base: "Engineer", crm: "Director", provider: "CTO", winner: "crm", rule: "CRM wins (two-way)" };
const oneWay = { ...twoWay, winner: "provider", rule: "provider wins (one-way)" };
const firstSync = { crm: "Rodriguez", provider: "Rodrigues", winner: "crm", rule: "first sync: the CRM's value is kept" };
const deleted = { rule: "delete wins", deletedOn: "crm" };

describe("a conflict in words", () => {
  const t = (locale: "en" | "sv") => {
    const tr = createTranslator({ locale, messages: locale === "en" ? en : sv, namespace: "conflict" });
    return (key: string, values: Record<string, string>) => tr(key as Parameters<typeof tr>[0], values);
  };

  it("names the rule each engine detail was decided by", () => {
    expect([twoWay, oneWay, firstSync, deleted].map(conflictRule)).toEqual(["twoWay", "oneWay", "firstSync", "deleteWins"]);
  });

  it("says which value was kept, which was not, and why", () => {
    expect(conflictSentence(t("en"), twoWay, "Job title", "Google Contacts")).toBe(
      "Job title was changed in both Tandem and Google Contacts. Tandem’s “Director” was kept, because in two-way sync Tandem’s value wins; Google Contacts had “CTO”.",
    );
    expect(conflictSentence(t("en"), oneWay, "Job title", "Microsoft Outlook")).toBe(
      "Job title was changed in both Tandem and Microsoft Outlook. Microsoft Outlook’s “CTO” was kept, because in one-way sync the address book’s value wins; Tandem had “Director”.",
    );
    expect(conflictSentence(t("en"), firstSync, "Last name", "Google Contacts")).toContain("Tandem’s “Rodriguez” was kept, because the first sync never overwrites what you have; Google Contacts had “Rodrigues”.");
    expect(conflictSentence(t("en"), deleted, "", "Google Contacts")).toBe(
      "Deleted in Tandem while it was changed in Google Contacts. The deletion was kept, because a deletion wins over a change, so the contact was deleted in Google Contacts too.",
    );
    // The other way round (deletions.ts): deleted at the provider, edited in Tandem.
    expect(conflictSentence(t("en"), { rule: "delete wins", deletedOn: "provider" }, "", "Google Contacts")).toBe(
      "Deleted in Google Contacts while it was changed in Tandem. The deletion was kept, because a deletion wins over a change, so the person was moved to the trash (you can restore it).",
    );
  });

  it("in Swedish too, with lists of values joined and nothing as a dash", () => {
    const emails = { crm: [{ value: "a@x.se", label: "work" }, { value: "b@x.se", label: "home" }], provider: null, winner: "crm", rule: "CRM wins (two-way)" };
    expect(conflictSentence(t("sv"), emails, "E-post", "Google Contacts")).toBe(
      "E-post ändrades både i Tandem och i Google Contacts. Tandems ”a@x.se, b@x.se” behölls, eftersom Tandems värde vinner vid tvåvägssynk; Google Contacts hade ”—”.",
    );
  });
});
