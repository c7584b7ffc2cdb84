import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db";
import { listPersons, PERSON_SORTS, type PersonSort } from "@/db/queries/persons";
import { getCompany } from "@/db/queries/users";
import { ButtonLink } from "@/components/ui/button";
import { Alert, Badge, EmptyState, PageHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { personDisplayName } from "@/lib/persons/display";
import { displayPhone, telHref } from "@/lib/persons/phone-display";
import { requireViewer } from "@/lib/viewer";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("persons"))("title") };
}

const paramsSchema = z.object({
  q: z.string().max(200).catch(""),
  sort: z.enum(PERSON_SORTS).catch("name"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  deleted: z.string().optional().catch(undefined),
});

export default async function PersonsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const viewer = await requireViewer();
  const raw = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const params = paramsSchema.parse({
    q: first(raw.q) ?? "",
    sort: first(raw.sort),
    dir: first(raw.dir),
    page: first(raw.page),
    deleted: first(raw.deleted),
  });
  const t = await getTranslations("persons");
  const tv = await getTranslations("visibility");
  const db = await getDb();
  const [{ rows, total, totalIsLowerBound, page, pageSize }, company] = await Promise.all([listPersons(db, viewer, params), getCompany(db, viewer)]);

  const href = (over: Partial<{ q: string; sort: PersonSort; dir: string; page: number }>) => {
    const next = { q: params.q, sort: params.sort, dir: params.dir, page: params.page, ...over };
    const qs = new URLSearchParams();
    if (next.q) qs.set("q", next.q);
    if (next.sort !== "name") qs.set("sort", next.sort);
    if (next.dir !== "asc") qs.set("dir", next.dir);
    if (next.page > 1) qs.set("page", String(next.page));
    const s = qs.toString();
    return s ? `/persons?${s}` : "/persons";
  };
  const sortHeader = (sort: PersonSort, label: string) => {
    const active = params.sort === sort;
    const dir = active && params.dir === "asc" ? "desc" : "asc";
    return (
      <th scope="col" className="px-4 py-3 text-left font-medium" aria-sort={active ? (params.dir === "asc" ? "ascending" : "descending") : undefined}>
        <Link href={href({ sort, dir, page: 1 })} className="inline-flex items-center gap-1 hover:text-slate-900">
          {label}
          <span aria-hidden="true" className="text-slate-400">
            {active ? (params.dir === "asc" ? "▲" : "▼") : ""}
          </span>
        </Link>
      </th>
    );
  };

  return (
    <>
      <PageHeader
        title={t("title")}
        description={totalIsLowerBound ? t("countAtLeast", { count: total }) : t("count", { count: total })}
        actions={viewer.canAddPersons || viewer.isAdmin ? <ButtonLink href="/persons/new">{t("new")}</ButtonLink> : null}
      />
      {params.deleted ? (
        <div className="mb-4">
          <Alert tone="success">{t("trashed")}</Alert>
        </div>
      ) : null}
      <form role="search" className="mb-4 flex gap-2" action="/persons">
        <label htmlFor="q" className="sr-only">
          {t("search")}
        </label>
        <Input id="q" name="q" type="search" defaultValue={params.q} placeholder={t("searchPlaceholder")} maxLength={200} />
        {params.sort !== "name" ? <input type="hidden" name="sort" value={params.sort} /> : null}
        {params.dir !== "asc" ? <input type="hidden" name="dir" value={params.dir} /> : null}
      </form>
      {rows.length === 0 ? (
        <EmptyState title={params.q ? t("noMatch") : t("none")}>
          {params.q ? t("noMatchHint") : t("noneHint")}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                {sortHeader("name", t("name"))}
                <th scope="col" className="hidden px-4 py-3 text-left font-medium md:table-cell">
                  {t("email")}
                </th>
                <th scope="col" className="hidden px-4 py-3 text-left font-medium lg:table-cell">
                  {t("phone")}
                </th>
                {sortHeader("organization", t("organization"))}
                {sortHeader("owner", t("owner"))}
                <th scope="col" className="hidden px-4 py-3 text-left font-medium xl:table-cell">
                  {t("visibleTo")}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((p) => (
                <tr key={p.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3 font-medium">
                    <Link href={`/persons/${p.id}`} className="text-brand-700 hover:underline">
                      {personDisplayName(p)}
                    </Link>
                  </td>
                  <td className="hidden px-4 py-3 text-slate-600 md:table-cell">{p.email}</td>
                  <td className="hidden px-4 py-3 text-slate-600 lg:table-cell">
                    {p.phone ? (
                      <a href={telHref(p.phone)} className="hover:underline">
                        {displayPhone(p.phone, company.defaultCountry)}
                      </a>
                    ) : null}
                  </td>
                  <td className="px-4 py-3 text-slate-600">
                    {p.organizationId ? (
                      <Link href={`/organizations/${p.organizationId}`} className="hover:underline">
                        {p.organizationName}
                      </Link>
                    ) : null}
                  </td>
                  <td className="px-4 py-3 text-slate-600">{p.ownerName}</td>
                  <td className="hidden px-4 py-3 xl:table-cell">
                    <Badge>{tv(`label.${p.visibility}`)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} pageSize={pageSize} total={total} totalIsLowerBound={totalIsLowerBound} href={(n) => href({ page: n })} />
    </>
  );
}
