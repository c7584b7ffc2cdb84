import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { LanguageForm } from "@/components/language-form";
import { Card, PageHeader } from "@/components/ui/card";
import { browserLocale } from "@/lib/i18n/request";
import { requireViewer } from "@/lib/viewer";
import { setLocaleAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("metadata"))("settings") };
}

export default async function SettingsPage() {
  const viewer = await requireViewer();
  const t = await getTranslations("settings");
  const browser = await browserLocale();
  return (
    <>
      <PageHeader title={t("title")} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Card>
          <h2 className="text-sm font-semibold text-slate-500 uppercase">{t("personal")}</h2>
          <p className="mt-2 text-sm text-slate-700">
            {t.rich("signedInAs", { name: viewer.name, email: viewer.email, strong: (chunks) => <span className="font-medium">{chunks}</span> })}
          </p>
          <Link href="/settings/personal/contact-sync" className="mt-2 block text-sm font-medium text-brand-700 hover:underline">
            {t("contactSync")}
          </Link>
          <LanguageForm current={viewer.locale ?? null} browser={browser} action={setLocaleAction} />
        </Card>
        {viewer.isAdmin ? (
          <Card>
            <h2 className="text-sm font-semibold text-slate-500 uppercase">{t("company")}</h2>
            <Link href="/settings/company" className="mt-2 block text-sm font-medium text-brand-700 hover:underline">
              {t("companyLink")}
            </Link>
          </Card>
        ) : null}
      </div>
    </>
  );
}
