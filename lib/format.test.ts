import { describe, expect, it } from "vitest";
import { formatDateTime, formatList } from "./format";

describe("formats for the interface's language", () => {
  it("writes dates as each language does", () => {
    const at = new Date(2026, 10, 30, 4, 50);
    expect(formatDateTime(at, "en")).toBe("30 Nov 2026, 04:50");
    expect(formatDateTime(at, "sv")).toBe("30 nov. 2026 04:50");
  });

  it("joins lists with the language's and / or, and keeps one formatter per language and kind", () => {
    expect(formatList(["Google", "Microsoft", "CardDAV"], "en")).toBe("Google, Microsoft, and CardDAV");
    expect(formatList(["Google", "Microsoft", "CardDAV"], "sv")).toBe("Google, Microsoft och CardDAV");
    expect(formatList(["a", "b"], "sv", "disjunction")).toBe("a eller b");
    expect(formatList(["a", "b"], "en", "disjunction")).toBe("a or b");
    expect(formatList([], "en")).toBe("");
  });
});
