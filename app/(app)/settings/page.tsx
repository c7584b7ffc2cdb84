import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/viewer";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const viewer = await requireViewer();
  return (
    <>
      <PageHeader title="Settings" />
      <div className="grid gap-4 sm:grid-cols-2">
        <Card>
          <h2 className="text-sm font-semibold text-slate-500 uppercase">Personal</h2>
          <p className="mt-2 text-sm text-slate-700">
            Signed in as <span className="font-medium">{viewer.name}</span> ({viewer.email}).
          </p>
          <Link href="/settings/personal/contact-sync" className="mt-2 block text-sm font-medium text-brand-700 hover:underline">
            Contact Sync
          </Link>
        </Card>
        {viewer.isAdmin ? (
          <Card>
            <h2 className="text-sm font-semibold text-slate-500 uppercase">Company</h2>
            <Link href="/settings/company" className="mt-2 block text-sm font-medium text-brand-700 hover:underline">
              Plan, users, roles and permissions
            </Link>
          </Card>
        ) : null}
      </div>
    </>
  );
}
