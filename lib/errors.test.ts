import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sv from "@/lib/i18n/messages/sv.json";
import { ForbiddenError, NotFoundError, orList, translated, translateUserError, UserError } from "./errors";

const swedish = createTranslator({ locale: "sv", messages: sv });

type Tree = { [key: string]: string | Tree };
function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === "string" ? [[`${prefix}${key}`, value] as [string, string]] : leaves(value, `${prefix}${key}.`)));
}

describe("UserError", () => {
  it("keeps its English text in message and fieldErrors, for logs and callers outside a request", () => {
    const error = new UserError("company.roleTaken", { values: { name: "Sales" }, fields: { name: "field.alreadyTaken" } });
    expect(error.message).toBe('A role named "Sales" already exists.');
    expect(error.fieldErrors).toEqual({ name: "Already taken" });
    expect(new NotFoundError("thisPerson").message).toBe("This person was not found, or you do not have access to it.");
    expect(new NotFoundError().message).toBe("This item was not found, or you do not have access to it.");
    expect(new ForbiddenError("persons.noAddPermission")).toBeInstanceOf(UserError);
  });

  it("reads counts, other messages and lists in the English it always had", () => {
    expect(new UserError("sync.choicesLeft", { values: { count: 1 } }).message).toBe("1 contact still needs your choice: link each to a person, or create it.");
    expect(new UserError("sync.choicesLeft", { values: { count: 1200 } }).message).toBe("1200 contacts still need your choice: link each to a person, or create it.");
    expect(new UserError("plan.visibilityNotOffered", { values: { visibility: translated("visibility.label.followers") } }).message).toBe(
      '"Owner & followers" is not available on your company\'s plan.',
    );
    const providers = orList(["Google", "Microsoft", "CardDAV"].map((name) => translated("errors.connect.providerChoice", { name })));
    expect(new UserError("connect.chooseProvider", { values: { providers } }).message).toBe("Choose whether this is a Google, a Microsoft or a CardDAV account.");
  });

  it("comes out in Swedish through the translation path, with its fields, values and nested messages", () => {
    const error = new UserError("plan.visibilityNotOffered", {
      values: { visibility: translated("visibility.label.followers") },
      fields: { visibility: "field.notOnPlan" },
    });
    expect(translateUserError(error, swedish)).toEqual({
      message: "”Ägaren och följare” ingår inte i ert företags abonnemang.",
      fieldErrors: { visibility: "Ingår inte i ert abonnemang" },
    });
    expect(translateUserError(new NotFoundError("thisPerson"), swedish).message).toBe("Den här personen hittades inte, eller så har du inte åtkomst till den.");
    const providers = orList(["Google", "Microsoft", "CardDAV"].map((name) => translated("errors.connect.providerChoice", { name })));
    expect(translateUserError(new UserError("connect.chooseProvider", { values: { providers } }), swedish).message).toBe(
      "Välj vilket slags konto det här är: Google, Microsoft eller CardDAV.",
    );
    // The English is still there for the log.
    expect(error.message).toBe('"Owner & followers" is not available on your company\'s plan.');
  });

  it("reads every message without arguments exactly as written (no ICU quoting eats an apostrophe)", () => {
    for (const [locale, messages] of [["en", en], ["sv", sv]] as const) {
      const t = createTranslator({ locale, messages });
      for (const [key, text] of leaves(messages.errors, "errors.")) {
        if (parse(text).every((el) => el.type === TYPE.literal)) expect(t(key as never), `${locale} ${key}`).toBe(text);
      }
    }
  });
});
