"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import type { ActionState } from "@/lib/action-state";
import { Button } from "../ui/button";
import { cn } from "../ui/cn";
import { useFormAction } from "../ui/use-form-action";
import { useFormatter, useLocale, useNow, useTranslations } from "next-intl";
import { formatDateTime } from "@/lib/format";
import type { Locale } from "@/lib/i18n/locales";
import { lastErrorText } from "@/lib/sync/model/last-error";

export type LiveStatusData = {
  status: "active" | "paused" | "needs_confirmation" | "reconnect_needed" | "error" | "preview";
  lastError: string | null;
  inSync: number;
  heldDeletions: number;
  waiting: boolean;
  running: { processed: number; total: number | null; resumed: boolean } | null;
  /** The last run stopped before it finished; the next worker resumes it. */
  interrupted: { processed: number; at: string } | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  /** Runs only when the user presses Refresh (no scheduled next run). */
  manualOnly: boolean;
  /** How changes made at the provider reach Tandem between runs (lib/sync/screens/dashboard.ts). */
  live: "notifications" | "checks" | "interval";
  /** Minutes between scheduled runs; 0: only on Refresh. */
  intervalMinutes: number;
};

/** A moment as "3 minutes ago" / "in 4 minutes", with the date and time beneath. */
function When({ iso, locale, now, overdue }: { iso: string | null; locale: Locale; now: Date; overdue?: string }) {
  const format = useFormatter();
  if (!iso) return <>—</>;
  const at = new Date(iso);
  return (
    <time dateTime={iso}>
      {/* (A past moment is never "in 12 seconds": the clock moves every 30 s, the data every second.) */}
      {overdue !== undefined ? (at <= now ? overdue : format.relativeTime(at, now)) : format.relativeTime(at, at > now ? at : now)}
      <span className="block text-xs text-slate-500">{formatDateTime(iso, locale)}</span>
    </time>
  );
}

/** Status, progress and the refresh button of one connection, kept current by polling: every
 * second while a run is waiting or going on, every 5 s otherwise — a run an edit or the provider
 * started shows without a reload (the poll also tells the server the user is active). */
export function LiveStatus({
  connectionId,
  initial,
  syncNowAction,
  appName,
}: {
  connectionId: string;
  initial: LiveStatusData;
  syncNowAction: (state: ActionState, form: FormData) => Promise<ActionState>;
  /** The provider's app as users know it ("Outlook", "Google"). */
  appName: string;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const key = ["sync-status", connectionId];
  const { data = initial } = useQuery<LiveStatusData>({
    queryKey: key,
    queryFn: async () => {
      const res = await fetch(`/api/sync/connections/${connectionId}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return (await res.json()) as LiveStatusData;
    },
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.running || q.state.data?.waiting || q.state.data?.interrupted ? 1000 : 5_000),
  });
  // The page was drawn again with a run on its way (another action asked for one, e.g. Retry
  // under Needs attention): follow it now rather than at the next slow poll.
  const initialBusy = initial.waiting || !!initial.running;
  useEffect(() => {
    if (initialBusy) void queryClient.invalidateQueries({ queryKey: ["sync-status", connectionId] });
  }, [initialBusy, queryClient, connectionId]);
  // An interrupted run counts as under way: it is resumed, not finished ("Up to date" would lie).
  const busy = !!data.running || data.waiting || !!data.interrupted;
  const wasBusy = useRef(busy);
  const seenRun = useRef(data.lastRunAt);
  useEffect(() => {
    // A run just ended: redraw the server-rendered figures and activity. Also a run that came
    // and went between two polls (a quick one), seen by its new lastRunAt.
    if (!busy && (wasBusy.current || data.lastRunAt !== seenRun.current)) router.refresh();
    wasBusy.current = busy;
    if (!busy) seenRun.current = data.lastRunAt;
  }, [busy, data.lastRunAt, router]);

  const { state, formAction, onSubmit, pending } = useFormAction(async (prev, form) => {
    const result = await syncNowAction(prev, form);
    await queryClient.invalidateQueries({ queryKey: key });
    return result;
  });

  const total = data.running?.total ?? null;
  const processed = data.running?.processed ?? 0;
  const percent = total ? Math.min(100, Math.round((processed / total) * 100)) : null;
  const locale = useLocale() as Locale;
  const t = useTranslations("liveStatus");
  const lastError = useTranslations("errors.lastError");
  const now = useNow({ updateInterval: 30_000 });
  const label = statusLabel(data, t, locale);

  return (
    <div className="space-y-3" aria-live="polite">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="flex items-center gap-2 text-sm font-medium" data-testid="sync-status">
          <span aria-hidden="true" className={cn("inline-block h-2.5 w-2.5 rounded-full", busy ? "animate-pulse bg-brand-500" : DOT[data.status])} />
          {label}
        </p>
        <form action={formAction} onSubmit={onSubmit}>
          <input type="hidden" name="connectionId" value={connectionId} />
          <Button type="submit" variant="secondary" disabled={pending || busy || data.status === "paused" || data.status === "reconnect_needed"}>
            {busy ? t("busy") : t("refresh")}
          </Button>
        </form>
      </div>
      {/* Fixed height: the page does not shift while a run comes and goes. */}
      <div className="h-2 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-label={t("progress")} aria-valuenow={percent ?? undefined} aria-valuemin={0} aria-valuemax={100}>
        <div
          className={cn("h-full rounded-full bg-brand-500 transition-all", busy && percent === null && "w-1/3 animate-pulse")}
          style={percent !== null ? { width: `${percent}%` } : busy ? undefined : { width: "0%" }}
        />
      </div>
      {data.lastError && !busy ? <p className="text-sm text-red-700">{lastErrorText(data.lastError, lastError)}</p> : null}
      {!state.ok && state.message ? (
        <p role="alert" className="text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-500">{t("inSync")}</dt>
          <dd className="text-lg font-semibold tabular-nums" data-testid="in-sync">
            {data.inSync}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">{t("lastSync")}</dt>
          <dd className="tabular-nums">
            <When iso={data.lastSuccessAt ?? data.lastRunAt} locale={locale} now={now} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">{t("nextSync")}</dt>
          <dd className="tabular-nums" data-testid="next-sync">
            {data.status !== "active" ? "—" : data.manualOnly ? t("onRefresh") : <When iso={data.nextRunAt} locale={locale} now={now} overdue={t("soon")} />}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">{t("heldDeletions")}</dt>
          <dd className="tabular-nums">{data.heldDeletions}</dd>
        </div>
      </dl>
      {data.status === "active" || data.status === "error" ? (
        <p className="text-sm text-slate-600" data-testid="live-mode">
          {liveModeText(data, appName, t)}
        </p>
      ) : null}
    </div>
  );
}

/** The translator of the liveStatus messages. */
type StatusTranslator = (key: string, values?: Record<string, string | number>) => string;

/** What the status line says: a run under way, one interrupted and being resumed, one about to
 * start — and only when none of those, the connection's state ("Up to date"…). */
export function statusLabel(data: Pick<LiveStatusData, "running" | "interrupted" | "waiting" | "status">, t: StatusTranslator, locale: Locale): string {
  if (data.running) {
    const { processed, total, resumed } = data.running;
    const key = total ? (resumed ? "syncingResumed" : "syncing") : resumed ? "syncingSoFarResumed" : "syncingSoFar";
    return t(key, { processed, total: total ?? 0 });
  }
  if (data.interrupted) return t("interrupted", { processed: data.interrupted.processed, at: formatDateTime(data.interrupted.at, locale) });
  if (data.waiting) return t("starting");
  return t(`status.${data.status}`);
}

/** How the connection stays in step, in a sentence. */
export function liveModeText(data: Pick<LiveStatusData, "live" | "intervalMinutes">, appName: string, t: StatusTranslator): string {
  const { live, intervalMinutes: minutes } = data;
  // Synced only on Refresh: no notification, check or edit starts a run.
  if (minutes === 0) return t("live.manual");
  if (live === "notifications") return t("live.notifications", { app: appName });
  if (live === "checks") return t("live.checks", { minutes });
  return t("live.interval", { minutes });
}

const DOT: Record<LiveStatusData["status"], string> = {
  active: "bg-emerald-500",
  paused: "bg-slate-400",
  needs_confirmation: "bg-amber-500",
  reconnect_needed: "bg-red-500",
  error: "bg-red-500",
  preview: "bg-amber-500",
};
