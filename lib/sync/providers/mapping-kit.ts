// Small helpers both provider mappings use (pure functions).
import { normalizeText } from "@/lib/normalize";

/** Each line normalised, blank lines dropped, the rest joined with ", ": addresses are one line. */
export function oneLine(value: string | null | undefined): string {
  return (value ?? "")
    .split(/\r\n|\r|\n/)
    .map(normalizeText)
    .filter(Boolean)
    .join(", ");
}

/** Equal as JSON, key order included: for provider items built by the same code. */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export const pad = (n: number, width: number): string => String(n).padStart(width, "0");
