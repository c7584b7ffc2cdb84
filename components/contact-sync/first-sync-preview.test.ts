import { NextIntlClientProvider } from "next-intl";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sv from "@/lib/i18n/messages/sv.json";
import { LAST_ERROR } from "@/lib/sync/model/last-error";
import type { PreviewRow, PreviewSummary } from "@/lib/sync/first-sync/preview";
import { FirstSyncPreview } from "./first-sync-preview";

const action = async () => ({ ok: true });
const abigail = { id: "6b0c5f7e-0000-4000-8000-000000000001", name: "Abigail Rodriguez", emails: ["a@x.io", "b@x.io", "c@x.io"], phones: ["+14155550100"] };
const linked: PreviewRow = {
  providerId: "people/1",
  label: "Abigail R",
  decision: "link",
  matchedBy: "email",
  contact: { emails: ["a@x.io"], phones: ["+14155550100"] },
  person: abigail,
  candidates: [],
  filled: [{ field: "jobTitle", value: "CEO" }],
  differ: [{ field: "lastName", crm: "Rodriguez", provider: "Rodrigues" }],
};

/** The preview's text as the page shows it, in a language. */
function previewText(locale: "en" | "sv", summary: PreviewSummary, error: string | null = null): string {
  const preview = createElement(FirstSyncPreview, {
    connectionId: "c",
    summary,
    page: { rows: [linked], total: 1 },
    decision: "link",
    pageNumber: 1,
    hrefFor: (d, n) => `?preview=${d}&page=${n}`,
    error,
    actions: { decide: action, start: action, back: action, prepare: action },
  });
  // The provider's type wants its children among its props (a .ts test has no JSX).
  // eslint-disable-next-line react/no-children-prop
  const html = renderToStaticMarkup(createElement(NextIntlClientProvider, { locale, messages: locale === "en" ? en : sv, timeZone: "UTC", children: preview }));
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<!-- -->/g, "")
    .replace(/<\/p>|<\/li>|<\/button>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&#x27;/g, "'");
}

describe("the first-sync preview", () => {
  it("says in English what the first sync will do, as before it was translated", () => {
    const text = previewText("en", { link: 1, create: 2, choose: 3 });
    expect(text).toContain("1 contact will be linked to persons you already have, 2 will be created, 3 need your choice.");
    expect(text).toContain("Linked to Abigail Rodriguez · a@x.io, b@x.io, +14155550100 and 1 more (same e-mail)");
    expect(text).toContain("Fills: job title (CEO)");
    expect(text).toContain("last name: keeps “Rodriguez”; the address book's “Rodrigues” goes to the history");
    expect(text).toContain("Need your choice (3)");
    expect(previewText("en", { link: 2, create: 0, choose: 0 })).toContain("2 contacts will be linked to persons you already have, 0 will be created.");
  });

  it("speaks Swedish", () => {
    const text = previewText("sv", { link: 2, create: 1, choose: 1 });
    expect(text).toContain("2 kontakter länkas till personer du redan har, 1 skapas, 1 väntar på ditt val.");
    expect(text).toContain("Länkas till Abigail Rodriguez · a@x.io, b@x.io, +14155550100 och 1 till (samma e-postadress)");
    expect(text).toContain("Fyller i: titel (CEO)");
    expect(text).toContain("efternamn: behåller ”Rodriguez”; adressbokens ”Rodrigues” sparas i historiken");
    expect(text).toContain("Koppla isär");
    expect(text).not.toMatch(/Linked|Unpair|Start syncing|will be/);
  });

  it("says in the user's language why the preview could not be prepared", () => {
    const none = { link: 0, create: 0, choose: 0 };
    expect(previewText("en", none, LAST_ERROR.previewListingFailed)).toContain(LAST_ERROR.previewListingFailed);
    expect(previewText("sv", none, LAST_ERROR.previewListingFailed)).toContain("Adressboken kunde inte listas för att förbereda den första synken.");
    expect(previewText("sv", none, "HTTP 503 from the server")).toContain("HTTP 503 from the server");
  });
});
