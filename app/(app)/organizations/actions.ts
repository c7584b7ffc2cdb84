"use server";

import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";
import { createOrganization, deleteOrganization, updateOrganization } from "@/db/queries/organizations";
import { organizationFormToObject, organizationInputSchema } from "@/lib/organizations/input";

/** The id a form posts; a malformed one names nothing, so it reads as not found. */
function idOf(value: unknown): string {
  if (typeof value !== "string" || !isUuid(value)) throw new NotFoundError("thisOrganization");
  return value;
}

export async function createOrganizationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let id = "";
  const state = await runAction(
    async () => organizationInputSchema(await getTranslations("organizations.errors")).parse(organizationFormToObject(form)),
    async (input, { db, viewer }) => {
      id = await createOrganization(db, viewer, input);
    },
  );
  if (!state.ok) return state;
  revalidatePath("/organizations");
  redirect(`/organizations/${id}`);
}

export async function updateOrganizationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    async () => ({
      id: idOf(form.get("id")),
      input: organizationInputSchema(await getTranslations("organizations.errors")).parse(organizationFormToObject(form)),
    }),
    async ({ id, input }, { db, viewer }) => {
      await updateOrganization(db, viewer, id, input);
      return { ok: true, message: (await getTranslations("actions"))("saved") };
    },
  );
  if (state.ok) revalidatePath("/organizations", "layout");
  return state;
}

export async function deleteOrganizationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    () => idOf(form.get("id")),
    async (id, { db, viewer }) => {
      await deleteOrganization(db, viewer, id);
    },
  );
  if (!state.ok) return state;
  revalidatePath("/organizations");
  redirect("/organizations");
}
