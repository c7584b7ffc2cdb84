"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { DIRECTIONS, SYNC_INTERVALS, VISIBILITIES } from "@/db/schema";
import { runAction } from "@/lib/action";
import type { ActionState } from "@/lib/action-state";
import {
  answerHeldDeletions,
  answerPreviewContact,
  answerUnconfirmedCreates,
  configureConnection,
  confirmPreview,
  disconnect,
  leavePreview,
  prepareFirstSync,
  reconnect,
  restoreFromEvent,
  setPaused,
  syncNow,
} from "@/lib/sync/manage";
import { startAuthorization } from "@/lib/sync/oauth-flow";
import { UserError } from "@/lib/errors";
import { connectWithPassword } from "@/lib/sync/password-flow";
import { passwordAuthOf, PROVIDER_IDS } from "@/lib/sync/providers/registry";

const PAGE = "/settings/personal/contact-sync";
const id = z.uuid("Unknown connection");
const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** Server actions may only redirect to our own pages or to the provider's consent page. */
function done(state: ActionState, to?: string): ActionState {
  revalidatePath(PAGE);
  if (state.ok && to) redirect(to);
  return state;
}

export async function addAccountAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let url = "";
  const state = await runAction(
    () =>
      z
        .object({
          email: z.string().trim().min(1, "Enter the e-mail address of the account").max(254, "That address is too long"),
          provider: z.enum(PROVIDER_IDS).optional(),
          // Providers that sign in with a password (CardDAV): the server and the credentials.
          serverUrl: z.string().trim().max(2000, "That address is too long").optional(),
          username: z.string().trim().max(500, "That username is too long").optional(),
          password: z.string().max(1000, "That password is too long").optional(),
        })
        .parse({
          email: text(form, "email"),
          provider: text(form, "provider") || undefined,
          serverUrl: form.has("serverUrl") ? text(form, "serverUrl") : undefined,
          username: form.has("username") ? text(form, "username") : undefined,
          password: form.has("password") ? text(form, "password") : undefined,
        }),
    async (input, { db, viewer }) => {
      if (input.provider && passwordAuthOf(input.provider)) {
        if (!input.serverUrl) throw new UserError("Enter the address of the CardDAV server.", { serverUrl: "Required" });
        const { connectionId, reconnected } = await connectWithPassword(db, viewer, {
          provider: input.provider,
          email: input.email,
          serverUrl: input.serverUrl,
          username: input.username ?? "",
          password: input.password ?? "",
        });
        url = `${PAGE}?connection=${connectionId}&${reconnected ? "reconnected" : "connected"}=1`;
        return;
      }
      url = (await startAuthorization(db, viewer, input)).url;
    },
  );
  return done(state, url);
}

export async function saveSettingsAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let to = "";
  const state = await runAction(
    () =>
      z
        .object({
          connectionId: id,
          groupId: z.string().min(1, "Choose a sync group").max(500),
          direction: z.enum(DIRECTIONS, "Choose a sync direction"),
          visibility: z.enum(VISIBILITIES, "Choose who can see the synced persons"),
          interval: z.coerce
            .number()
            .pipe(z.union(SYNC_INTERVALS.map((m) => z.literal(m)), "Choose how often to sync"))
            .optional(),
        })
        .parse({
          connectionId: form.get("connectionId"),
          groupId: text(form, "groupId"),
          direction: form.get("direction"),
          visibility: form.get("visibility"),
          interval: form.get("interval") || undefined,
        }),
    async ({ connectionId, ...settings }, { db, viewer }) => {
      const result = await configureConnection(db, viewer, connectionId, settings);
      if ("consentUrl" in result) to = result.consentUrl;
      return {
        ok: true,
        message:
          "consentUrl" in result
            ? "Allow write access to continue."
            : result.preview
              ? "Saved. Check how your contacts pair with the persons you already have, then start syncing."
              : result.started
                ? "Saved. The first sync has started."
                : "Saved.",
      };
    },
  );
  return done(state, to || undefined);
}

export async function syncNowAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => id.parse(form.get("connectionId")),
      async (connectionId, { db, viewer }) => {
        const { alreadyWaiting } = await syncNow(db, viewer, connectionId);
        return { ok: true, message: alreadyWaiting ? "A sync is already on its way." : "Sync started." };
      },
    ),
  );
}

export async function pauseAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => ({ connectionId: id.parse(form.get("connectionId")), paused: form.get("paused") === "true" }),
      async ({ connectionId, paused }, { db, viewer }) => {
        await setPaused(db, viewer, connectionId, paused);
        return { ok: true, message: paused ? "Paused." : "Resumed." };
      },
    ),
  );
}

export async function disconnectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const state = await runAction(
    () => ({ connectionId: id.parse(form.get("connectionId")), keep: form.get("keep") !== "false" }),
    async ({ connectionId, keep }, { db, viewer }) => {
      await disconnect(db, viewer, connectionId, keep);
    },
  );
  return done(state, `${PAGE}?disconnected=1`);
}

export async function reconnectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let url = "";
  const state = await runAction(
    () => id.parse(form.get("connectionId")),
    async (connectionId, { db, viewer }) => {
      url = await reconnect(db, viewer, connectionId);
    },
  );
  return done(state, url);
}

export async function heldDeletionsAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => ({ connectionId: id.parse(form.get("connectionId")), confirm: form.get("confirm") === "true" }),
      async ({ connectionId, confirm }, { db, viewer }) => {
        const n = await answerHeldDeletions(db, viewer, connectionId, confirm);
        return { ok: true, message: confirm ? `${n} persons moved to the trash.` : `Kept ${n} persons; they are no longer synced.` };
      },
    ),
  );
}

export async function unconfirmedCreatesAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => ({ connectionId: id.parse(form.get("connectionId")), createAgain: form.get("createAgain") === "true" }),
      async ({ connectionId, createAgain }, { db, viewer }) => {
        const n = await answerUnconfirmedCreates(db, viewer, connectionId, createAgain);
        return { ok: true, message: createAgain ? `${n} persons will be sent to the address book again.` : `${n} persons stay in Tandem, out of sync.` };
      },
    ),
  );
}

export async function restoreAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => z.uuid("Unknown activity").parse(form.get("eventId")),
      async (eventId, { db, viewer }) => {
        await restoreFromEvent(db, viewer, eventId);
        return { ok: true, message: "Restored." };
      },
    ),
  );
}

/** The preview's answer for one contact: link it to one of its candidates, or create it. */
export async function previewContactAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () =>
        z
          .object({ connectionId: id, providerId: z.string().min(1).max(500), personId: z.union([z.literal(""), z.uuid("Unknown person")]) })
          .parse({ connectionId: form.get("connectionId"), providerId: text(form, "providerId"), personId: text(form, "personId") }),
      async ({ connectionId, providerId, personId }, { db, viewer }) => {
        await answerPreviewContact(db, viewer, connectionId, providerId, personId || null);
        return { ok: true, message: personId ? "Linked." : "It will be created as a new person." };
      },
    ),
  );
}

export async function startSyncingAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => id.parse(form.get("connectionId")),
      async (connectionId, { db, viewer }) => {
        await confirmPreview(db, viewer, connectionId);
        return { ok: true, message: "The first sync has started." };
      },
    ),
    PAGE,
  );
}

export async function leavePreviewAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => id.parse(form.get("connectionId")),
      async (connectionId, { db, viewer }) => {
        await leavePreview(db, viewer, connectionId);
        return { ok: true, message: "Nothing was synced. Choose the settings again." };
      },
    ),
    PAGE,
  );
}

export async function preparePreviewAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return done(
    await runAction(
      () => id.parse(form.get("connectionId")),
      async (connectionId, { db, viewer }) => {
        const { preview } = await prepareFirstSync(db, viewer, connectionId);
        return { ok: true, message: preview ? "The preview is ready." : "Nothing pairs with your persons; the first sync has started." };
      },
    ),
  );
}
