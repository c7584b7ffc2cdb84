import type { Metadata } from "next";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import type { DB } from "@/db/client";
import type { Viewer } from "@/db/queries/visibility";
import { getCompany } from "@/db/queries/users";
import { PREVIEW_DECISIONS, SYNC_INTERVALS } from "@/db/schema";
import { ActivityChart, ActivityList } from "@/components/contact-sync/activity";
import { AddAccountForm } from "@/components/contact-sync/add-account-form";
import { ConnectionSettings } from "@/components/contact-sync/connection-settings";
import { FirstSyncPreview } from "@/components/contact-sync/first-sync-preview";
import { LiveStatus } from "@/components/contact-sync/live-status";
import { NeedsAttention } from "@/components/contact-sync/needs-attention";
import { SettingsForm } from "@/components/contact-sync/settings-form";
import { ActionButton } from "@/components/ui/action-button";
import { ButtonLink } from "@/components/ui/button";
import { Alert, Badge, Card, CardTitle, PageHeader } from "@/components/ui/card";
import { connectionActivity, listConnectionSummaries, listNeedsAttention, listUnconfirmedCreates, type ConnectionSummary } from "@/lib/sync/screens/dashboard";
import { listProviderGroups, readPreview } from "@/lib/sync/accounts/manage";
import { canSetUpSync } from "@/lib/sync/accounts/permission";
import { InvalidGrantError } from "@/lib/sync/model/provider";
import { demoProviders, listProviders, providerDefinition } from "@/lib/sync/providers/registry";
import { visibilityOptionsForPlan } from "@/lib/visibility";
import { requireViewer } from "@/lib/viewer";
import { env } from "@/lib/env";
import { formatList } from "@/lib/format";
import { DEFAULT_LOCALE, isLocale } from "@/lib/i18n/locales";
import {
  addAccountAction,
  disconnectAction,
  heldDeletionsAction,
  leavePreviewAction,
  preparePreviewAction,
  previewContactAction,
  startSyncingAction,
  unconfirmedCreatesAction,
  pauseAction,
  reconnectAction,
  restoreAction,
  retryFailedAction,
  dismissConflictAction,
  saveSettingsAction,
  syncNowAction,
} from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("contactSync"))("title") };
}

/** The ?error= codes the sign-in flow comes back with, each a message of contactSync.errors. */
const ERRORS = [
  "denied",
  "bad_state",
  "expired",
  "replayed",
  "wrong_provider",
  "wrong_user",
  "exchange_failed",
  "wrong_account",
  "no_write_access",
  "no_refresh_token",
  "too_many",
  "forbidden",
  "unexpected",
] as const;
const errorKey = (code: string) => `errors.${ERRORS.find((e) => e === code) ?? "unexpected"}`;

type Search = { add?: string; account?: string; error?: string; connected?: string; reconnected?: string; disconnected?: string; preview?: string; page?: string };

export default async function ContactSyncPage({ searchParams }: { searchParams: Promise<Search> }) {
  const viewer = await requireViewer();
  const params = await searchParams;
  const t = await getTranslations("contactSync");
  const locale = await getLocale();
  if (!canSetUpSync(viewer)) {
    return (
      <>
        <PageHeader title={t("title")} />
        <Alert>
          {[t("permissions"), viewer.canAddPersons ? "" : t("noAddPersons"), viewer.canAddOrganizations ? "" : t("noAddOrganizations"), t("askAdmin")]
            .filter(Boolean)
            .join(" ")}
        </Alert>
      </>
    );
  }
  const db = await getDb();
  const [connections, company] = await Promise.all([listConnectionSummaries(db, viewer), getCompany(db, viewer)]);
  const tv = await getTranslations("visibility");
  const visibilities = visibilityOptionsForPlan(company.plan).map((v) => ({ value: v, label: tv(`label.${v}`), hint: tv(`hint.${v}`) }));
  const demo = demoProviders();
  const providerNames = formatList(listProviders().map((p) => p.profile.shortName), locale, "disjunction");
  const showAdd = connections.length === 0 || params.add === "1";

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description", { providers: providerNames })}
        actions={
          !showAdd ? (
            <ButtonLink href="?add=1" variant="secondary">
              {t("addAnother")}
            </ButtonLink>
          ) : null
        }
      />
      <div className="space-y-6">
        {params.error ? <Alert>{t(errorKey(params.error))}</Alert> : null}
        {params.connected ? <Alert tone="success">{t("connected")}</Alert> : null}
        {params.reconnected ? <Alert tone="success">{t("reconnected")}</Alert> : null}
        {params.disconnected ? <Alert tone="success">{t("disconnected")}</Alert> : null}
        {showAdd ? (
          <Card>
            <CardTitle>{t("connectTitle")}</CardTitle>
            <AddAccountForm
              action={addAccountAction}
              initialEmail={params.account}
              providers={listProviders().map((p) => p.profile)}
              passwordDemos={demo.flatMap((d) =>
                d.auth.kind === "password" && d.demo.examplePassword
                  ? [{ providerId: d.id, account: d.demo.exampleAccount, password: d.demo.examplePassword, serverUrl: d.demo.emulatorUrl() }]
                  : [],
              )}
            />
            {demo.length > 0 ? (
              <p className="mt-4 text-xs text-slate-500">
                {t("demo", {
                  providers: formatList(demo.map((d) => d.profile.shortName), locale),
                  accounts: formatList(demo.map((d) => d.demo.exampleAccount), locale, "disjunction"),
                })}
              </p>
            ) : null}
          </Card>
        ) : null}
        {connections.map((c) => (
          <ConnectionCard key={c.id} db={db} viewer={viewer} connection={c} visibilities={visibilities} search={params} />
        ))}
      </div>
    </>
  );
}

async function ConnectionCard({
  db,
  viewer,
  connection: c,
  visibilities,
  search,
}: {
  db: DB;
  viewer: Viewer;
  connection: ConnectionSummary;
  visibilities: { value: string; label: string; hint: string }[];
  search: Search;
}) {
  const definition = providerDefinition(c.provider);
  const locale = await getLocale();
  const groupLabel = definition.groupHint[isLocale(locale) ? locale : DEFAULT_LOCALE];
  const t = await getTranslations("contactSync");
  const tv = await getTranslations("visibility");
  let groups: { id: string; name: string; memberCount?: number }[] = [];
  let groupError: string | null = null;
  // Read live, so only where the form is shown at once: a configured connection's settings
  // read them when opened (ConnectionSettings).
  if (!c.groupId) {
    try {
      groups = await listProviderGroups(db, viewer, c.id);
    } catch (error) {
      groupError = error instanceof InvalidGrantError ? t("revoked") : t("groupsFailed");
    }
  }
  const header = (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
      <div className="min-w-0">
        <h2 className="truncate text-base font-semibold">{c.accountEmail}</h2>
        <p className="text-sm text-slate-600">
          {definition.profile.label}
          {c.groupName ? (
            <>
              {" "}
              · {t("group")} <span className="font-medium">{c.groupName}</span> · <Badge>{c.direction === "two_way" ? t("twoWay") : t("oneWay")}</Badge>{" "}
              <Badge>{tv(`label.${c.visibility}`)}</Badge>
            </>
          ) : null}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        {c.status === "reconnect_needed" || groupError === t("revoked") ? (
          definition.auth.kind === "password" ? (
            // A new password is given in the add-account form, which mends the connection.
            <ButtonLink href={`?add=1&account=${encodeURIComponent(c.accountEmail)}`}>{t("reconnect")}</ButtonLink>
          ) : (
            <ActionButton action={reconnectAction} fields={{ connectionId: c.id }} variant="primary">
              {t("reconnect")}
            </ActionButton>
          )
        ) : null}
        {c.groupId && c.status !== "reconnect_needed" && c.status !== "preview" ? (
          <ActionButton action={pauseAction} fields={{ connectionId: c.id, paused: String(c.status !== "paused") }}>
            {c.status === "paused" ? t("resume") : t("pause")}
          </ActionButton>
        ) : null}
      </div>
    </div>
  );

  if (!c.groupId) {
    return (
      <Card data-testid={`connection-${c.accountEmail}`}>
        {header}
        <h3 className="mb-3 text-sm font-semibold">{t("chooseWhat")}</h3>
        {groupError ? (
          <Alert>{groupError}</Alert>
        ) : (
          <SettingsForm
            action={saveSettingsAction}
            connectionId={c.id}
            groups={groups}
            visibilities={visibilities}
            values={{
              groupId: null,
              direction: c.direction,
              visibility: visibilities.some((v) => v.value === c.visibility) ? c.visibility : "company",
              interval: intervalOf(c),
            }}
            groupLabel={groupLabel}
            submitLabel={t("startSyncing")}
          />
        )}
        <DisconnectButtons connectionId={c.id} />
      </Card>
    );
  }

  if (c.status === "preview") {
    const pageNumber = Math.max(1, Math.min(10_000, Number.parseInt(search.page ?? "1", 10) || 1));
    const { summary, decision, page } = await readPreview(db, viewer, c.id, { decision: PREVIEW_DECISIONS.find((d) => d === search.preview), page: pageNumber });
    return (
      <Card data-testid={`connection-${c.accountEmail}`}>
        {header}
        <FirstSyncPreview
          connectionId={c.id}
          summary={summary}
          page={page}
          decision={decision}
          pageNumber={pageNumber}
          hrefFor={(d, n) => `?${new URLSearchParams({ preview: d, page: String(n) })}`}
          error={c.lastError}
          actions={{ decide: previewContactAction, start: startSyncingAction, back: leavePreviewAction, prepare: preparePreviewAction }}
        />
        <DisconnectButtons connectionId={c.id} />
      </Card>
    );
  }

  const [{ added, updated, deleted, linked, days }, unconfirmed, attention] = await Promise.all([
    connectionActivity(db, viewer, c.id, { limit: 8, days: 14 }),
    c.unconfirmedCreates > 0 ? listUnconfirmedCreates(db, viewer, c.id) : Promise.resolve([]),
    listNeedsAttention(db, viewer, c.id),
  ]);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);

  return (
    <Card data-testid={`connection-${c.accountEmail}`}>
      {header}
      <LiveStatus
        connectionId={c.id}
        syncNowAction={syncNowAction}
        initial={{
          status: c.status,
          lastError: c.lastError,
          inSync: c.inSync,
          heldDeletions: c.heldDeletions,
          waiting: c.waiting,
          running: c.running ? { processed: c.running.processed, total: c.running.total, resumed: c.running.resumed } : null,
          interrupted: c.interrupted ? { processed: c.interrupted.processed, at: c.interrupted.at.toISOString() } : null,
          lastRunAt: iso(c.lastRunAt),
          lastSuccessAt: iso(c.lastSuccessAt),
          nextRunAt: iso(c.nextRunAt),
          manualOnly: c.syncIntervalMinutes === 0,
          live: c.live,
          intervalMinutes: c.intervalMinutes,
        }}
        appName={definition.profile.appName}
      />
      <NeedsAttention
        connectionId={c.id}
        app={definition.profile.label}
        twoWay={c.direction === "two_way"}
        items={attention}
        heldCount={c.heldDeletions}
        actions={{ retry: retryFailedAction, dismiss: dismissConflictAction, held: heldDeletionsAction }}
      />
      {unconfirmed.length > 0 ? (
        <div className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="unconfirmed-creates">
          <p className="font-medium">
            {t("unconfirmed.title", {
              count: c.unconfirmedCreates,
              names: unconfirmed.map((u) => u.name || t("unconfirmed.noName")).join(", "),
            })}
          </p>
          <p className="mt-1">{t("unconfirmed.text")}</p>
          <div className="mt-2 flex flex-wrap gap-2">
            <ActionButton action={unconfirmedCreatesAction} fields={{ connectionId: c.id, createAgain: "true" }} variant="primary">
              {t("unconfirmed.createAgain")}
            </ActionButton>
            <ActionButton action={unconfirmedCreatesAction} fields={{ connectionId: c.id, createAgain: "false" }}>
              {t("unconfirmed.leaveOut")}
            </ActionButton>
          </div>
        </div>
      ) : null}
      {linked.length > 0 ? (
        <div className="mt-6">
          <ActivityList title={t("linked")} items={linked} emptyText="" />
        </div>
      ) : null}
      <div className="mt-6 grid gap-6 md:grid-cols-3">
        <ActivityList title={t("recentlyAdded")} items={added} emptyText={t("nothingAdded")} />
        <ActivityList title={t("recentlyUpdated")} items={updated} emptyText={t("nothingUpdated")} />
        <ActivityList title={t("recentlyDeleted")} items={deleted} emptyText={t("nothingDeleted")} restoreAction={restoreAction} />
      </div>
      <div className="mt-6">
        <h3 className="mb-2 text-sm font-semibold">{t("activity")}</h3>
        <ActivityChart days={days} />
      </div>
      <ConnectionSettings
        action={saveSettingsAction}
        connectionId={c.id}
        visibilities={visibilities}
        values={{ groupId: c.groupId, direction: c.direction, visibility: c.visibility, interval: intervalOf(c) }}
        groupLabel={`${groupLabel} ${t("changingGroup")}`}
        submitLabel={t("saveSettings")}
      >
        <DisconnectButtons connectionId={c.id} />
      </ConnectionSettings>
      <p className="mt-4 text-xs text-slate-500">
        {t.rich("footer", {
          link: (chunks) => (
            <Link href="/persons" className="underline">
              {chunks}
            </Link>
          ),
        })}
      </p>
    </Card>
  );
}

/** The connection's interval as the settings show it: its own, else the deployment's when the
 * form offers it, else every 5 minutes. */
function intervalOf(c: ConnectionSummary): number {
  if (c.syncIntervalMinutes !== null) return c.syncIntervalMinutes;
  const fallback = env().SYNC_INTERVAL_MINUTES;
  return (SYNC_INTERVALS as readonly number[]).includes(fallback) ? fallback : 5;
}

function DisconnectButtons({ connectionId }: { connectionId: string }) {
  const t = useTranslations("contactSync");
  return (
    <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-4">
      <span className="text-sm text-slate-600">{t("disconnect")}</span>
      <ActionButton action={disconnectAction} fields={{ connectionId, keep: "true" }} confirm={t("keepPersonsConfirm")}>
        {t("keepPersons")}
      </ActionButton>
      <ActionButton action={disconnectAction} fields={{ connectionId, keep: "false" }} variant="danger" confirm={t("removePersonsConfirm")}>
        {t("removePersons")}
      </ActionButton>
    </div>
  );
}
