/**
 * The slice of OData query options Graph supports on contact collections:
 * `$top`/`$skip` paging, `$orderby` on one property, `$count`, and a
 * `$filter` subset (eq/ne on strings, startswith, and the `any` lambdas on
 * emailAddresses and categories, joined by `and`). Anything else is
 * rejected the way Graph rejects filters it cannot evaluate.
 */
import { graphError } from "./errors";

export type Getter = (property: string) => unknown;
export type Predicate = (get: Getter) => boolean;

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/''/g, "'");
}

const invalidFilter = (): Error => graphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");

const STRING = "'(?:[^']|'')*'";
/** Each pattern, whether capture group 1 names a property to validate, and its predicate builder. */
const TERM_PATTERNS: [RegExp, boolean, (m: RegExpExecArray) => Predicate][] = [
  [
    new RegExp(`^startswith\\(\\s*(\\w+)\\s*,\\s*(${STRING})\\s*\\)$`, "i"),
    true,
    (m) => {
      const [prop, value] = [m[1] ?? "", unquote(m[2] ?? "''").toLowerCase()];
      return (get) => String(get(prop) ?? "").toLowerCase().startsWith(value);
    },
  ],
  [
    new RegExp(`^emailAddresses/any\\(\\s*(\\w+)\\s*:\\s*\\1/address\\s+eq\\s+(${STRING})\\s*\\)$`, "i"),
    false,
    (m) => {
      const value = unquote(m[2] ?? "''").toLowerCase();
      return (get) => ((get("emailAddresses") as { address?: string | null }[] | undefined) ?? []).some((e) => (e.address ?? "").toLowerCase() === value);
    },
  ],
  [
    new RegExp(`^singleValueExtendedProperties/any\\(\\s*(\\w+)\\s*:\\s*\\1/id\\s+eq\\s+(${STRING})\\s+and\\s+\\1/value\\s+eq\\s+(${STRING})\\s*\\)$`, "i"),
    false,
    (m) => {
      const [id, value] = [unquote(m[2] ?? "''").toLowerCase(), unquote(m[3] ?? "''").toLowerCase()];
      return (get) => ((get("singleValueExtendedProperties") as { id: string; value: string }[] | undefined) ?? []).some((p) => p.id.toLowerCase() === id && p.value.toLowerCase() === value);
    },
  ],
  [
    new RegExp(`^categories/any\\(\\s*(\\w+)\\s*:\\s*\\1\\s+eq\\s+(${STRING})\\s*\\)$`, "i"),
    false,
    (m) => {
      const value = unquote(m[2] ?? "''").toLowerCase();
      return (get) => ((get("categories") as string[] | undefined) ?? []).some((c) => c.toLowerCase() === value);
    },
  ],
  [
    new RegExp(`^(\\w+)\\s+(eq|ne)\\s+(${STRING}|null)$`, "i"),
    true,
    (m) => {
      const prop = m[1] ?? "";
      const negate = (m[2] ?? "").toLowerCase() === "ne";
      const raw = m[3] ?? "null";
      const value = raw === "null" ? null : unquote(raw).toLowerCase();
      return (get) => {
        const actual = get(prop);
        const equal = value === null ? actual === null || actual === undefined || actual === "" : String(actual ?? "").toLowerCase() === value;
        return negate ? !equal : equal;
      };
    },
  ],
];

/** Splits on `and` outside parentheses and string literals (lambdas contain their own `and`). */
function splitTopLevelAnd(expr: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === "'") inString = !inString;
    else if (!inString && ch === "(") depth += 1;
    else if (!inString && ch === ")") depth -= 1;
    else if (!inString && depth === 0 && /\s/.test(ch ?? "")) {
      const m = /^\s+and\s+/i.exec(expr.slice(i));
      if (m) {
        terms.push(expr.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  terms.push(expr.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== "");
}

export function parseFilter(raw: string | null, knownProperties: ReadonlySet<string>): Predicate | null {
  if (raw === null || raw.trim() === "") return null;
  const terms = splitTopLevelAnd(raw.trim());
  const predicates = terms.map((term) => {
    for (const [pattern, namesProperty, build] of TERM_PATTERNS) {
      const m = pattern.exec(term.trim());
      if (!m) continue;
      const prop = m[1] ?? "";
      if (namesProperty && !knownProperties.has(prop)) {
        throw graphError(400, "RequestBroker--ParseUri", `Could not find a property named '${prop}' on type 'microsoft.graph.contact'.`);
      }
      return build(m);
    }
    throw invalidFilter();
  });
  return (get) => predicates.every((p) => p(get));
}

export interface Paging {
  top: number;
  skip: number;
}

export function parsePaging(q: URLSearchParams, defaultTop: number, maxTop: number): Paging {
  const top = intOption(q, "$top") ?? defaultTop;
  const skip = intOption(q, "$skip") ?? 0;
  if (top < 0 || skip < 0) throw graphError(400, "BadRequest", "Invalid value for $top or $skip: must be a non-negative integer.");
  return { top: Math.min(top === 0 ? defaultTop : top, maxTop), skip };
}

function intOption(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null) return null;
  if (!/^\d+$/.test(v)) throw graphError(400, "BadRequest", `Invalid value '${v}' for query option '${name}'.`);
  return Number(v);
}

export interface OrderBy {
  property: string;
  descending: boolean;
}

export function parseOrderBy(raw: string | null, sortable: readonly string[]): OrderBy | null {
  if (raw === null || raw.trim() === "") return null;
  const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  const prop = m?.[1] && sortable.find((s) => s.toLowerCase() === m[1]?.toLowerCase());
  if (!m || !prop) throw graphError(400, "ErrorInvalidProperty", `The property in $orderby is not supported: '${raw}'.`);
  return { property: prop, descending: (m[2] ?? "").toLowerCase() === "desc" };
}

/** `Prefer: odata.maxpagesize=N` (the Graph client does not carry it between pages; callers resend it). */
export function preferredPageSize(headers: Record<string, string>): number | null {
  const prefer = headers["prefer"];
  if (!prefer) return null;
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
  return m ? Number(m[1]) : null;
}

/** Rebuilds a query string the way Graph writes it in nextLinks: `$` names unescaped. */
export function odataQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/gi, ",")}`).join("&");
}
