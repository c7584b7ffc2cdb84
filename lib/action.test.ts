import { createTranslator } from "next-intl";
import { beforeEach, describe, expect, it, vi } from "vitest";
import sv from "@/lib/i18n/messages/sv.json";
import type { Viewer } from "@/db/queries/visibility";
import { runAction } from "./action";
import { NotFoundError, translated, UserError } from "./errors";

// A signed-in user who reads Swedish: the request's translations are Swedish ones, as next-intl's
// request config (lib/i18n/request.ts) gives them for a user whose language is Swedish.
const viewer = { id: "u", companyId: "c", locale: "sv" } as Viewer;
vi.mock("./viewer", () => ({ currentViewer: async () => viewer }));
vi.mock("@/db", () => ({ getDb: async () => ({}) }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) => createTranslator({ locale: "sv", messages: sv, namespace: namespace as never }),
}));

describe("runAction", () => {
  beforeEach(() => vi.spyOn(console, "error").mockImplementation(() => {}));

  it("answers a UserError in the user's language, with its fields", async () => {
    const state = await runAction(
      () => ({}),
      async () => {
        throw new UserError("plan.visibilityNotOffered", { values: { visibility: translated("visibility.label.company") }, fields: { visibility: "field.notOnPlan" } });
      },
    );
    expect(state).toEqual({ ok: false, message: "”Hela företaget” ingår inte i ert företags abonnemang.", fieldErrors: { visibility: "Ingår inte i ert abonnemang" } });
  });

  it("names what was not found in the user's language", async () => {
    const state = await runAction(
      () => ({}),
      async () => {
        throw new NotFoundError("thisOrganization");
      },
    );
    expect(state).toEqual({ ok: false, message: "Den här organisationen hittades inte, eller så har du inte åtkomst till den.", fieldErrors: {} });
  });

  it("reports anything else generically, in the user's language", async () => {
    const state = await runAction(
      () => ({}),
      async () => {
        throw new Error("connection reset");
      },
    );
    expect(state).toEqual({ ok: false, message: sv.actions.unexpected });
  });
});
