"use server";

import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { postedId } from "@/lib/errors";
import { createOrganization, deleteOrganization, updateOrganization } from "@/db/queries/organizations";
import { organizationFormToObject, organizationInputSchema } from "@/lib/organizations/input";

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
      id: postedId(form.get("id"), "thisOrganization"),
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
    () => postedId(form.get("id"), "thisOrganization"),
    async (id, { db, viewer }) => {
      await deleteOrganization(db, viewer, id);
    },
  );
  if (!state.ok) return state;
  revalidatePath("/organizations");
  redirect("/organizations");
}
