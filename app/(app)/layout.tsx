import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { NavLink } from "@/components/nav-link";
import { signOutAction } from "./actions";
import { getDb } from "@/db";
import { noteUserActive } from "@/lib/sync/live/checks";
import { requireViewer } from "@/lib/viewer";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer();
  // An active user's connections are checked for changes every minute (lib/sync/live/checks.ts).
  await noteUserActive(await getDb(), viewer.id);
  const t = await getTranslations("nav");
  return (
    <div className="md:flex md:min-h-screen">
      <aside className="border-b border-slate-200 bg-white md:w-60 md:shrink-0 md:border-r md:border-b-0">
        <div className="flex items-center justify-between px-4 py-3 md:block md:px-5 md:py-5">
          <Link href="/persons" className="text-lg font-semibold tracking-tight text-brand-700">
            Tandem
          </Link>
          <form action={signOutAction} className="md:hidden">
            <button className="text-sm text-slate-600 underline-offset-2 hover:underline">{t("signOut")}</button>
          </form>
        </div>
        <nav aria-label={t("main")} className="flex gap-1 overflow-x-auto px-3 pb-3 md:flex-col md:px-3">
          <NavLink href="/persons">{t("persons")}</NavLink>
          <NavLink href="/organizations">{t("organizations")}</NavLink>
          <NavLink href="/settings">{t("settings")}</NavLink>
        </nav>
        <div className="mt-auto hidden border-t border-slate-200 px-5 py-4 md:block">
          <p className="truncate text-sm font-medium text-slate-900">{viewer.name}</p>
          <p className="truncate text-xs text-slate-500">{viewer.email}</p>
          <form action={signOutAction} className="mt-2">
            <button className="text-sm text-slate-600 underline-offset-2 hover:underline">{t("signOut")}</button>
          </form>
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-4 py-6 md:px-8 md:py-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}
