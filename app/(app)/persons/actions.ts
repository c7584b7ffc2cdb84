"use server";

import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { getCompany } from "@/db/queries/users";
import { imageTypeOf, PICTURE_MAX_BYTES } from "@/lib/persons/picture";
import {
  createPerson,
  deletePerson,
  setFollowing,
  setPersonPicture,
  updatePerson,
} from "@/db/queries/persons";
import { personFormToObject } from "@/lib/persons/form-data";
import { personInputSchema } from "@/lib/persons/input";
import { postedId, UserError } from "@/lib/errors";

export async function createPersonAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let createdId = "";
  const state = await runAction(
    () => personFormToObject(form),
    async (raw, { db, viewer }) => {
      const company = await getCompany(db, viewer);
      const input = personInputSchema(company.defaultCountry, await getTranslations("personForm.errors")).parse(raw);
      createdId = await createPerson(db, viewer, input);
    },
  );
  if (!state.ok) return state;
  revalidatePath("/persons");
  redirect(`/persons/${createdId}?created=1`);
}

export async function updatePersonAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    () => ({
      id: postedId(form.get("id"), "thisPerson"),
      version: z.coerce.number().int().positive().parse(form.get("version")),
      raw: personFormToObject(form),
    }),
    async ({ id, version, raw }, { db, viewer }) => {
      const company = await getCompany(db, viewer);
      const input = personInputSchema(company.defaultCountry, await getTranslations("personForm.errors")).parse(raw);
      await updatePerson(db, viewer, id, input, version);
      return { ok: true, message: (await getTranslations("actions"))("saved") };
    },
  );
  if (state.ok) revalidatePath("/persons", "layout");
  return state;
}

export async function deletePersonAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    () => postedId(form.get("id"), "thisPerson"),
    async (id, { db, viewer }) => {
      await deletePerson(db, viewer, id);
    },
  );
  if (!state.ok) return state;
  revalidatePath("/persons");
  redirect("/persons?deleted=1");
}

export async function setFollowingAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    () => ({ id: postedId(form.get("id"), "thisPerson"), follow: form.get("follow") === "true" }),
    async ({ id, follow }, { db, viewer }) => {
      await setFollowing(db, viewer, id, follow);
    },
  );
  if (state.ok) revalidatePath(`/persons/${String(form.get("id"))}`);
  return state;
}

export async function setPictureAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    () => ({ id: postedId(form.get("id"), "thisPerson"), file: form.get("picture"), remove: form.get("remove") === "true" }),
    async ({ id, file, remove }, { db, viewer }) => {
      const t = await getTranslations("actions");
      if (remove) {
        await setPersonPicture(db, viewer, id, null);
        return { ok: true, message: t("pictureRemoved") };
      }
      if (!(file instanceof File) || file.size === 0) {
        throw new UserError("picture.chooseImage", { fields: { picture: "field.noFile" } });
      }
      if (file.size > PICTURE_MAX_BYTES) throw new UserError("picture.tooLarge", { fields: { picture: "field.tooLarge" } });
      const data = Buffer.from(await file.arrayBuffer());
      await setPersonPicture(db, viewer, id, { contentType: imageTypeOf(data) ?? "application/octet-stream", data });
      return { ok: true, message: t("pictureSaved") };
    },
  );
  if (state.ok) revalidatePath(`/persons/${String(form.get("id"))}`);
  return state;
}


