"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
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
  dismissConflict,
  leavePreview,
  prepareFirstSync,
  reconnect,
  restoreFromEvent,
  retryFailedContacts,
  setPaused,
  syncNow,
} from "@/lib/sync/accounts/manage";
import { startAuthorization } from "@/lib/sync/accounts/oauth-flow";
import { UserError } from "@/lib/errors";
import { connectWithPassword } from "@/lib/sync/accounts/password-flow";
import { isProviderId, passwordAuthOf } from "@/lib/sync/providers/registry";

const PAGE = "/settings/personal/contact-sync";

/** The actions' messages, in the user's language. */
const messages = () => getTranslations("contactSync.actions");
type Messages = Awaited<ReturnType<typeof messages>>;

const connectionIdOf = (form: FormData, t: Messages) => z.uuid(t("unknownConnection")).parse(form.get("connectionId"));

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
  const t = await messages();
  let url = "";
  const state = await runAction(
    () =>
      z
        .object({
          email: z.string().trim().min(1, t("emailMissing")).max(254, t("addressTooLong")),
          provider: z.string().refine(isProviderId).optional(),
          // Providers that sign in with a password (CardDAV): the server and the credentials.
          serverUrl: z.string().trim().max(2000, t("addressTooLong")).optional(),
          username: z.string().trim().max(500, t("usernameTooLong")).optional(),
          password: z.string().max(1000, t("passwordTooLong")).optional(),
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
        if (!input.serverUrl) throw new UserError("connect.serverMissing", { fields: { serverUrl: "field.required" } });
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
  const t = await messages();
  let to = "";
  const state = await runAction(
    () =>
      z
        .object({
          connectionId: z.uuid(t("unknownConnection")),
          groupId: z.string().min(1, t("chooseGroup")).max(500),
          direction: z.enum(DIRECTIONS, t("chooseDirection")),
          visibility: z.enum(VISIBILITIES, t("chooseVisibility")),
          interval: z.coerce
            .number()
            .pipe(z.union(SYNC_INTERVALS.map((m) => z.literal(m)), t("chooseInterval")))
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
            ? t("allowWrite")
            : result.preview
              ? t("savedPreview")
              : result.started
                ? t("savedStarted")
                : t("saved"),
      };
    },
  );
  return done(state, to || undefined);
}

export async function syncNowAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => connectionIdOf(form, t),
      async (connectionId, { db, viewer }) => {
        const { alreadyWaiting } = await syncNow(db, viewer, connectionId);
        return { ok: true, message: alreadyWaiting ? t("alreadyWaiting") : t("syncStarted") };
      },
    ),
  );
}

export async function pauseAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => ({ connectionId: connectionIdOf(form, t), paused: form.get("paused") === "true" }),
      async ({ connectionId, paused }, { db, viewer }) => {
        await setPaused(db, viewer, connectionId, paused);
        return { ok: true, message: paused ? t("paused") : t("resumed") };
      },
    ),
  );
}

export async function disconnectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  const state = await runAction(
    () => ({ connectionId: connectionIdOf(form, t), keep: form.get("keep") !== "false" }),
    async ({ connectionId, keep }, { db, viewer }) => {
      await disconnect(db, viewer, connectionId, keep);
    },
  );
  return done(state, `${PAGE}?disconnected=1`);
}

export async function reconnectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  let url = "";
  const state = await runAction(
    () => connectionIdOf(form, t),
    async (connectionId, { db, viewer }) => {
      url = await reconnect(db, viewer, connectionId);
    },
  );
  return done(state, url);
}

export async function heldDeletionsAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => ({ connectionId: connectionIdOf(form, t), confirm: form.get("confirm") === "true" }),
      async ({ connectionId, confirm }, { db, viewer }) => {
        const n = await answerHeldDeletions(db, viewer, connectionId, confirm);
        return { ok: true, message: confirm ? t("heldDeleted", { count: n }) : t("heldKept", { count: n }) };
      },
    ),
  );
}

/** Retry under Needs attention: one refused contact (failureId), or all of the connection's. */
export async function retryFailedAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => ({ connectionId: connectionIdOf(form, t), failureId: form.get("failureId") ? z.uuid(t("unknownContact")).parse(form.get("failureId")) : undefined }),
      async ({ connectionId, failureId }, { db, viewer }) => {
        const n = await retryFailedContacts(db, viewer, connectionId, failureId);
        return { ok: true, message: t("retrying", { count: n }) };
      },
    ),
  );
}

/** "Got it" on a conflict under Needs attention. */
export async function dismissConflictAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => ({ connectionId: connectionIdOf(form, t), eventId: z.uuid(t("unknownActivity")).parse(form.get("eventId")) }),
      async ({ connectionId, eventId }, { db, viewer }) => {
        await dismissConflict(db, viewer, connectionId, eventId);
        return { ok: true, message: t("dismissed") };
      },
    ),
  );
}

export async function unconfirmedCreatesAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => ({ connectionId: connectionIdOf(form, t), createAgain: form.get("createAgain") === "true" }),
      async ({ connectionId, createAgain }, { db, viewer }) => {
        const n = await answerUnconfirmedCreates(db, viewer, connectionId, createAgain);
        return { ok: true, message: createAgain ? t("unconfirmedSent", { count: n }) : t("unconfirmedKept", { count: n }) };
      },
    ),
  );
}

export async function restoreAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => z.uuid(t("unknownActivity")).parse(form.get("eventId")),
      async (eventId, { db, viewer }) => {
        await restoreFromEvent(db, viewer, eventId);
        return { ok: true, message: t("restored") };
      },
    ),
  );
}

/** The preview's answer for one contact: link it to one of its candidates, or create it. */
export async function previewContactAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () =>
        z
          .object({
            connectionId: z.uuid(t("unknownConnection")),
            providerId: z.string().min(1).max(500),
            personId: z.union([z.literal(""), z.uuid(t("unknownPerson"))]),
          })
          .parse({ connectionId: form.get("connectionId"), providerId: text(form, "providerId"), personId: text(form, "personId") }),
      async ({ connectionId, providerId, personId }, { db, viewer }) => {
        await answerPreviewContact(db, viewer, connectionId, providerId, personId || null);
        return { ok: true, message: personId ? t("linked") : t("willBeCreated") };
      },
    ),
  );
}

export async function startSyncingAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => connectionIdOf(form, t),
      async (connectionId, { db, viewer }) => {
        await confirmPreview(db, viewer, connectionId);
        return { ok: true, message: t("firstSyncStarted") };
      },
    ),
    PAGE,
  );
}

export async function leavePreviewAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => connectionIdOf(form, t),
      async (connectionId, { db, viewer }) => {
        await leavePreview(db, viewer, connectionId);
        return { ok: true, message: t("previewLeft") };
      },
    ),
    PAGE,
  );
}

export async function preparePreviewAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await messages();
  return done(
    await runAction(
      () => connectionIdOf(form, t),
      async (connectionId, { db, viewer }) => {
        const { preview } = await prepareFirstSync(db, viewer, connectionId);
        return { ok: true, message: preview ? t("previewReady") : t("nothingPairs") };
      },
    ),
  );
}
