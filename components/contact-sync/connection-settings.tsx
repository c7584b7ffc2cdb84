"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { Alert } from "../ui/card";
import { SettingsForm, type SettingsFormProps } from "./settings-form";

type Group = SettingsFormProps["groups"][number];

/** A configured connection's settings, folded away. The provider's groups are read (live) only
 * when the user opens them: a dashboard view costs no call to the provider. */
export function ConnectionSettings({ children, ...form }: Omit<SettingsFormProps, "groups"> & { children?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const t = useTranslations("syncSettings");
  const groups = useQuery<Group[]>({
    queryKey: ["sync-groups", form.connectionId],
    queryFn: async () => {
      const res = await fetch(`/api/sync/connections/${form.connectionId}/groups`, { cache: "no-store" });
      const body = (await res.json().catch(() => ({}))) as { groups?: Group[]; error?: string };
      if (!res.ok || !body.groups) throw new Error(body.error ?? t("groupsFailed"));
      return body.groups;
    },
    enabled: open,
    retry: false,
    staleTime: 60_000,
  });
  return (
    <details className="mt-6 rounded-md ring-1 ring-slate-200" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium">{t("settings")}</summary>
      <div className="space-y-4 p-3">
        {groups.error ? <Alert>{groups.error.message}</Alert> : null}
        {groups.data ? <SettingsForm {...form} groups={groups.data} /> : groups.isFetching ? <p className="text-sm text-slate-500">{t("loadingGroups")}</p> : null}
        {children}
      </div>
    </details>
  );
}
