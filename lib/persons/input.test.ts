import { createTranslator, type AbstractIntlMessages } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sv from "@/lib/i18n/messages/sv.json";
import { personInputSchema, personSearchText, type PersonInputMessages } from "./input";

/** The form's messages in a language, as the actions get them from getTranslations. */
const messagesIn = (locale: "en" | "sv"): PersonInputMessages => {
  const tr = createTranslator({ locale, messages: (locale === "en" ? en : sv) as AbstractIntlMessages, namespace: "personForm" });
  return (key, values) => tr(`errors.${key}`, values as never);
};
const english = messagesIn("en");

const base = {
  firstName: "Ana",
  lastName: "Lima",
  emails: [],
  phones: [],
  address: "",
  organizationId: null,
  visibility: "company",
  customFields: {},
};
const parse = (over: Record<string, unknown>) => personInputSchema("US", english).safeParse({ ...base, ...over });
const firstMessage = (over: Record<string, unknown>) => {
  const r = parse(over);
  return r.success ? null : r.error.issues[0]?.message;
};

describe("person input", () => {
  it("normalises names (NFC, trimmed, spaces folded), e-mails (lower-case) and phones (E.164)", () => {
    const r = parse({
      firstName: "  Jose\u0301  Maria ",
      emails: [{ value: " Ana.Lima@Example.COM ", label: "" }],
      phones: [{ value: "(415) 555-0100", label: "mobile" }],
    });
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.data.firstName).toBe("José Maria");
    expect(r.data.emails).toEqual([{ value: "ana.lima@example.com", label: "other" }]);
    expect(r.data.phones).toEqual([{ value: "+14155550100", label: "mobile" }]);
  });

  it("keeps a phone extension", () => {
    const r = parse({ phones: [{ value: "+1 415 555 0100 ext. 12", label: "work" }] });
    expect(r.success && r.data.phones[0]?.value).toBe("+14155550100;ext=12");
  });

  it("keeps an unparseable phone number as typed rather than dropping it", () => {
    const r = parse({ phones: [{ value: "ext. 123 / desk", label: "work" }] });
    expect(r.success && r.data.phones[0]?.value).toBe("ext. 123 / desk");
  });

  it("reads national numbers in the company's country", () => {
    const r = personInputSchema("DE", english).safeParse({ ...base, phones: [{ value: "030 901820", label: "work" }] });
    expect(r.success && r.data.phones[0]?.value).toBe("+4930901820");
  });

  it("merges duplicate e-mails and phones", () => {
    const r = parse({
      emails: [
        { value: "a@x.io", label: "work" },
        { value: "A@X.io", label: "home" },
      ],
    });
    expect(r.success && r.data.emails).toEqual([{ value: "a@x.io", label: "work" }]);
  });

  it("explains each bad input", () => {
    expect(firstMessage({ firstName: " ", lastName: "" })).toBe("Enter a first or last name");
    expect(firstMessage({ lastName: "x".repeat(10_000) })).toBe("Last name is at most 120 characters");
    expect(firstMessage({ emails: [{ value: "nope", label: "" }] })).toBe("Enter a valid e-mail address, like name@example.com");
    expect(firstMessage({ phones: [{ value: "--", label: "" }] })).toBe("Enter a phone number with at least 3 digits");
    expect(firstMessage({ address: "a".repeat(10_000) })).toBe("The address is at most 500 characters");
    expect(firstMessage({ visibility: "everyone" })).toBe("Choose who can see this person");
    expect(firstMessage({ organizationId: "../../etc" })).toBe("Choose an organization from the list");
    expect(firstMessage({ customFields: { k: "v".repeat(10_000) } })).toBe("Custom field values are at most 5000 characters");
    expect(firstMessage({ emails: Array.from({ length: 21 }, (_, i) => ({ value: `a${i}@x.io`, label: "" })) })).toBe(
      "At most 20 e-mail addresses",
    );
    expect(firstMessage({ phones: Array.from({ length: 21 }, (_, i) => ({ value: `555 01${i}`, label: "" })) })).toBe("At most 20 phone numbers");
    expect(firstMessage({ firstName: "x".repeat(121) })).toBe("First name is at most 120 characters");
    expect(firstMessage({ emails: [{ value: "a@x.io", label: "l".repeat(41) }] })).toBe("Labels are at most 40 characters");
    expect(firstMessage({ emails: [{ value: `${"a".repeat(250)}@x.io`, label: "" }] })).toBe("E-mail addresses are at most 254 characters");
    expect(firstMessage({ phones: [{ value: "5".repeat(41), label: "" }] })).toBe("Phone numbers are at most 40 characters");
    expect(firstMessage({ ownerId: "nobody" })).toBe("Choose an owner from the list");
  });

  it("explains each bad input in Swedish", () => {
    const swedish = (over: Record<string, unknown>) => {
      const r = personInputSchema("SE", messagesIn("sv")).safeParse({ ...base, ...over });
      return r.success ? null : r.error.issues[0]?.message;
    };
    expect(swedish({ firstName: " ", lastName: "" })).toBe("Ange ett förnamn eller efternamn");
    expect(swedish({ lastName: "x".repeat(10_000) })).toBe("Efternamnet får vara högst 120 tecken");
    expect(swedish({ phones: [{ value: "--", label: "" }] })).toBe("Ange ett telefonnummer med minst 3 siffror");
    expect(swedish({ customFields: { k: "v".repeat(10_000) } })).toBe("Värden i egna fält får vara högst 5000 tecken");
  });

  it("search text holds names, e-mails and phone digits in lower case", () => {
    expect(
      personSearchText({ firstName: "Zoë", lastName: "O'Brien", emails: [{ value: "z@x.io" }], phones: [{ value: "+1 (415) 555" }] }),
    ).toBe("zoë o'brien z@x.io +1415555");
  });
});
