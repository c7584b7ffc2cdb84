import Link from "next/link";
import { useTranslations } from "next-intl";

export function Pagination({
  page,
  pageSize,
  total,
  totalIsLowerBound = false,
  href,
}: {
  page: number;
  pageSize: number;
  total: number;
  /** The total was counted up to a cap: there are more. */
  totalIsLowerBound?: boolean;
  href: (page: number) => string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  const link = "rounded-md px-3 py-1.5 text-sm ring-1 ring-slate-300 bg-white hover:bg-slate-50";
  const off = "rounded-md px-3 py-1.5 text-sm ring-1 ring-slate-200 text-slate-400";
  const t = useTranslations("pagination");
  return (
    <nav aria-label={t("label")} className="mt-4 flex items-center justify-between gap-3 text-sm text-slate-600">
      <p>
        {t(totalIsLowerBound ? "rangeAtLeast" : "range", { from, to, total })}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link className={link} href={href(page - 1)} rel="prev">
            {t("previous")}
          </Link>
        ) : (
          <span className={off} aria-disabled="true">
            {t("previous")}
          </span>
        )}
        {page < pages || totalIsLowerBound ? (
          <Link className={link} href={href(page + 1)} rel="next">
            {t("next")}
          </Link>
        ) : (
          <span className={off} aria-disabled="true">
            {t("next")}
          </span>
        )}
      </div>
    </nav>
  );
}
