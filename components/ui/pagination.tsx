import Link from "next/link";
import { formatCount } from "@/lib/format";

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
  return (
    <nav aria-label="Pagination" className="mt-4 flex items-center justify-between gap-3 text-sm text-slate-600">
      <p>
        {from}–{to} of {formatCount(total)}
        {totalIsLowerBound ? "+" : ""}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link className={link} href={href(page - 1)} rel="prev">
            Previous
          </Link>
        ) : (
          <span className={off} aria-disabled="true">Previous</span>
        )}
        {page < pages || totalIsLowerBound ? (
          <Link className={link} href={href(page + 1)} rel="next">
            Next
          </Link>
        ) : (
          <span className={off} aria-disabled="true">Next</span>
        )}
      </div>
    </nav>
  );
}
