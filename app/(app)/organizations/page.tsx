import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db";
import { listOrganizations } from "@/db/queries/organizations";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { requireViewer } from "@/lib/viewer";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("organizations"))("title") };
}

const paramsSchema = z.object({
  q: z.string().max(200).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export default async function OrganizationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const viewer = await requireViewer();
  const raw = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const params = paramsSchema.parse({ q: first(raw.q) ?? "", page: first(raw.page) });
  const { rows, total, page, pageSize } = await listOrganizations(await getDb(), viewer, params);
  const href = (n: number) => {
    const qs = new URLSearchParams();
    if (params.q) qs.set("q", params.q);
    if (n > 1) qs.set("page", String(n));
    const s = qs.toString();
    return s ? `/organizations?${s}` : "/organizations";
  };
  const t = await getTranslations("organizations");
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("count", { count: total })}
        actions={viewer.canAddOrganizations || viewer.isAdmin ? <ButtonLink href="/organizations/new">{t("new")}</ButtonLink> : null}
      />
      <form role="search" className="mb-4" action="/organizations">
        <label htmlFor="q" className="sr-only">
          {t("search")}
        </label>
        <Input id="q" name="q" type="search" defaultValue={params.q} placeholder={t("searchPlaceholder")} maxLength={200} />
      </form>
      {rows.length === 0 ? (
        <EmptyState title={params.q ? t("noMatch") : t("none")} />
      ) : (
        <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3 text-left font-medium">
                  {t("name")}
                </th>
                <th scope="col" className="hidden px-4 py-3 text-left font-medium md:table-cell">
                  {t("address")}
                </th>
                <th scope="col" className="px-4 py-3 text-left font-medium">
                  {t("owner")}
                </th>
                <th scope="col" className="px-4 py-3 text-right font-medium">
                  {t("persons")}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((o) => (
                <tr key={o.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3 font-medium">
                    <Link href={`/organizations/${o.id}`} className="text-brand-700 hover:underline">
                      {o.name}
                    </Link>
                  </td>
                  <td className="hidden px-4 py-3 text-slate-600 md:table-cell">{o.address}</td>
                  <td className="px-4 py-3 text-slate-600">{o.ownerName}</td>
                  <td className="px-4 py-3 text-right text-slate-600 tabular-nums">{o.persons}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pageSize={pageSize} total={total} href={href} />
    </>
  );
}
