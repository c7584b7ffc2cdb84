"use server";

import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import { createOrganization, deleteOrganization, updateOrganization } from "@/db/queries/organizations";
import { organizationFormToObject, organizationInputSchema } from "@/lib/organizations/input";

const idSchema = z.uuid("Unknown organization");

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
      id: idSchema.parse(form.get("id")),
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
    () => idSchema.parse(form.get("id")),
    async (id, { db, viewer }) => {
      await deleteOrganization(db, viewer, id);
    },
  );
  if (!state.ok) return state;
  revalidatePath("/organizations");
  redirect("/organizations");
}
