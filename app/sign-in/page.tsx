import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { demoProviders } from "@/lib/sync/providers/registry";
import { currentViewer } from "@/lib/viewer";
import { SignInForm } from "./sign-in-form";
import { formatList } from "@/lib/format";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("metadata"))("signIn") };
}
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentViewer()) redirect("/persons");
  const { next } = await searchParams;
  const demo = demoProviders();
  const t = await getTranslations("signIn");
  const locale = await getLocale();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight text-brand-700">Tandem</h1>
        <p className="mb-6 text-sm text-slate-600">{t("tagline")}</p>
        <div className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <SignInForm next={typeof next === "string" ? next : undefined} />
        </div>
        {demo.length > 0 ? (
          <p className="mt-4 rounded-md bg-amber-50 p-3 text-xs text-amber-900 ring-1 ring-amber-200" data-testid="demo-mode">
            {t.rich("demo", { providers: formatList(demo.map((d) => d.profile.shortName), locale), code: (chunks) => <code>{chunks}</code> })}
          </p>
        ) : null}
      </div>
    </main>
  );
}
