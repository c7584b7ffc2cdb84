import { isLiteralElement, isPluralElement, isPoundElement, isSelectElement, isTagElement, parse, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { LOCALES, negotiateLocale } from "./locales";
import en from "./messages/en.json";
import sv from "./messages/sv.json";

type Tree = { [key: string]: string | Tree };
const CATALOGS: Record<(typeof LOCALES)[number], Tree> = { en, sv };

/** Every message as "path.to.key" → its text. */
function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

/** The ICU arguments and tags a message uses — {name}, {count, plural, …}, <strong>… — read by
 * ICU's own parser (which also fails on a message that is not valid ICU). */
function placeholders(text: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      if (isTagElement(el)) {
        found.add(`<${el.value}>`);
        walk(el.children);
      } else if (isPluralElement(el) || isSelectElement(el)) {
        found.add(el.value);
        for (const option of Object.values(el.options)) walk(option.value);
      } else if (!isLiteralElement(el) && !isPoundElement(el)) {
        found.add(el.value);
      }
    }
  };
  walk(parse(text));
  return [...found].sort();
}

describe("messages", () => {
  const english = flatten(en);

  it.each(LOCALES.filter((l) => l !== "en"))("%s has exactly the English keys", (locale) => {
    const other = flatten(CATALOGS[locale]);
    expect([...other.keys()].filter((k) => !english.has(k))).toEqual([]);
    expect([...english.keys()].filter((k) => !other.has(k))).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s uses the same arguments and tags in every message", (locale) => {
    const other = flatten(CATALOGS[locale]);
    for (const [key, text] of english) expect(placeholders(other.get(key) ?? ""), key).toEqual(placeholders(text));
  });

  it("has no empty message", () => {
    for (const locale of LOCALES) for (const [key, text] of flatten(CATALOGS[locale])) expect(text.trim(), `${locale} ${key}`).not.toBe("");
  });
});

describe("negotiateLocale", () => {
  it.each([
    ["sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7", "sv"],
    ["en-US,en;q=0.9,sv;q=0.8", "en"],
    ["de-DE,de;q=0.9,sv;q=0.5,en;q=0.4", "sv"],
    ["en;q=0.5, sv;q=0.8", "sv"],
    ["SV", "sv"],
    ["fr-FR,fr;q=0.9", null],
    ["sv;q=0, en;q=0.1", "en"],
    ["*", null],
    ["", null],
  ])("%j → %s", (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});
