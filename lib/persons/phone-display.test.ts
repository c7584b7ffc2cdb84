import { describe, expect, it } from "vitest";
import { displayPhone, telHref } from "./phone-display";

describe("displayPhone", () => {
  it.each([
    ["+46812345678", "SE", "08-123 456 78"],
    ["+46812345678", "US", "+46 8 123 456 78"],
    ["+14155551049", "US", "(415) 555-1049"],
    ["+14155551049", "se", "+1 415 555 1049"],
    ["+49309018207206", "DE", "030 9018207206"],
    ["+49309018207206", "SE", "+49 30 9018207206"],
    ["12", "SE", "12"],
    ["ext. 5", "SE", "ext. 5"],
  ])("%s in a company of %s → %s", (value, country, expected) => {
    expect(displayPhone(value, country)).toBe(expected);
  });
});

describe("telHref", () => {
  it.each([
    ["+46812345678", "tel:+46812345678"],
    ["+1 (415) 555-1049", "tel:+14155551049"],
    ["12 34", "tel:1234"],
  ])("%s → %s", (value, expected) => {
    expect(telHref(value)).toBe(expected);
  });
});
