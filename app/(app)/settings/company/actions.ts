"use server";

import { revalidatePath } from "next/cache";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { PLANS } from "@/db/schema";
import { createRole, createUser, setCompanyPlan, setRoleParent, updateUserSettings } from "@/db/queries/users";
import { hashPassword, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from "@/lib/password";
import { normalizeEmail, normalizeText } from "@/lib/normalize";

const ROLE_NAME_MAX = 80;
const USER_NAME_MAX = 120;

/** The company settings' messages, in the user's language. */
const messages = () => getTranslations("companySettings");
type Messages = Awaited<ReturnType<typeof messages>>;

const optionalId = (t: Messages) =>
  z
    .string()
    .transform((v) => v || null)
    .pipe(z.uuid(t("errors.unknownRole")).nullable());

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

const settingsSchema = (t: Messages) =>
  z.object({
    roleId: optionalId(t),
    isAdmin: z.boolean(),
    canAddPersons: z.boolean(),
    canAddOrganizations: z.boolean(),
  });

const settingsOf = (form: FormData) => ({
  roleId: text(form, "roleId"),
  isAdmin: form.get("isAdmin") === "on",
  canAddPersons: form.get("canAddPersons") === "on",
  canAddOrganizations: form.get("canAddOrganizations") === "on",
});

function done(message: string): ActionState {
  revalidatePath("/settings/company");
  return { ok: true, message };
}

export async function setPlanAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return runAction(
    () => z.enum(PLANS, t("errors.choosePlan")).parse(form.get("plan")),
    async (plan, { db, viewer }) => {
      await setCompanyPlan(db, viewer, plan);
      return done(t("done.planSaved"));
    },
  );
}

export async function createRoleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return runAction(
    () =>
      z
        .object({
          name: z
            .string()
            .transform(normalizeText)
            .pipe(z.string().min(1, t("errors.roleNameMissing")).max(ROLE_NAME_MAX, t("errors.roleNameTooLong", { max: ROLE_NAME_MAX }))),
          parentId: optionalId(t),
        })
        .parse({ name: text(form, "name"), parentId: text(form, "parentId") }),
    async (input, { db, viewer }) => {
      await createRole(db, viewer, input);
      return done(t("done.roleAdded", { name: input.name }));
    },
  );
}

export async function setRoleParentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return runAction(
    () => ({ roleId: z.uuid(t("errors.unknownRole")).parse(form.get("roleId")), parentId: optionalId(t).parse(text(form, "parentId")) }),
    async ({ roleId, parentId }, { db, viewer }) => {
      await setRoleParent(db, viewer, roleId, parentId);
      return done(t("done.roleSaved"));
    },
  );
}

export async function updateUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return runAction(
    () => ({ userId: z.uuid(t("errors.unknownUser")).parse(form.get("userId")), settings: settingsSchema(t).parse(settingsOf(form)) }),
    async ({ userId, settings }, { db, viewer }) => {
      await updateUserSettings(db, viewer, userId, settings);
      return done(t("done.userSaved"));
    },
  );
}

export async function createUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return runAction(
    () =>
      settingsSchema(t)
        .extend({
          name: z
            .string()
            .transform(normalizeText)
            .pipe(z.string().min(1, t("errors.userNameMissing")).max(USER_NAME_MAX, t("errors.userNameTooLong", { max: USER_NAME_MAX }))),
          email: z.string().transform(normalizeEmail).pipe(z.email(t("errors.emailInvalid")).max(254)),
          password: z
            .string()
            .min(PASSWORD_MIN_LENGTH, t("errors.passwordTooShort", { min: PASSWORD_MIN_LENGTH }))
            .refine((p) => Buffer.byteLength(p, "utf8") <= PASSWORD_MAX_BYTES, t("errors.passwordTooLong", { max: PASSWORD_MAX_BYTES })),
        })
        .parse({ ...settingsOf(form), name: text(form, "name"), email: text(form, "email"), password: text(form, "password") }),
    async ({ password, ...input }, { db, viewer }) => {
      await createUser(db, viewer, { ...input, passwordHash: await hashPassword(password) });
      return done(t("done.userCreated", { name: input.name }));
    },
  );
}
