"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { PLANS } from "@/db/schema";
import { createRole, createUser, setCompanyPlan, setRoleParent, updateUserSettings } from "@/db/queries/users";
import { hashPassword, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from "@/lib/password";
import { normalizeEmail, normalizeText } from "@/lib/normalize";

const optionalId = z
  .string()
  .transform((v) => v || null)
  .pipe(z.uuid("Unknown role").nullable());

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

const settingsSchema = z.object({
  roleId: optionalId,
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
  return runAction(
    () => z.enum(PLANS, "Choose a plan").parse(form.get("plan")),
    async (plan, { db, viewer }) => {
      await setCompanyPlan(db, viewer, plan);
      return done("Plan saved.");
    },
  );
}

export async function createRoleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(
    () =>
      z
        .object({
          name: z.string().transform(normalizeText).pipe(z.string().min(1, "Enter a role name").max(80, "Role names are at most 80 characters")),
          parentId: optionalId,
        })
        .parse({ name: text(form, "name"), parentId: text(form, "parentId") }),
    async (input, { db, viewer }) => {
      await createRole(db, viewer, input);
      return done(`Role "${input.name}" added.`);
    },
  );
}

export async function setRoleParentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(
    () => ({ roleId: z.uuid("Unknown role").parse(form.get("roleId")), parentId: optionalId.parse(text(form, "parentId")) }),
    async ({ roleId, parentId }, { db, viewer }) => {
      await setRoleParent(db, viewer, roleId, parentId);
      return done("Role saved.");
    },
  );
}

export async function updateUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(
    () => ({ userId: z.uuid("Unknown user").parse(form.get("userId")), settings: settingsSchema.parse(settingsOf(form)) }),
    async ({ userId, settings }, { db, viewer }) => {
      await updateUserSettings(db, viewer, userId, settings);
      return done("User saved.");
    },
  );
}

export async function createUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(
    () =>
      settingsSchema
        .extend({
          name: z.string().transform(normalizeText).pipe(z.string().min(1, "Enter the user's name").max(120, "Names are at most 120 characters")),
          email: z.string().transform(normalizeEmail).pipe(z.email("Enter a valid e-mail address").max(254)),
          password: z
            .string()
            .min(PASSWORD_MIN_LENGTH, `Passwords have at least ${PASSWORD_MIN_LENGTH} characters`)
            .refine((p) => Buffer.byteLength(p, "utf8") <= PASSWORD_MAX_BYTES, `Passwords are at most ${PASSWORD_MAX_BYTES} bytes`),
        })
        .parse({ ...settingsOf(form), name: text(form, "name"), email: text(form, "email"), password: text(form, "password") }),
    async ({ password, ...input }, { db, viewer }) => {
      await createUser(db, viewer, { ...input, passwordHash: await hashPassword(password) });
      return done(`${input.name} can now sign in.`);
    },
  );
}
