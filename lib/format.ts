// Dates and counts as the UI shows them. One formatter each, made once: toLocaleString with
// options builds a new Intl formatter on every call, which costs more than rendering the row.
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
const count = new Intl.NumberFormat("en-US");

/** "24 Nov 2026, 23:31" */
export function formatDateTime(date: Date | string): string {
  return dateTime.format(typeof date === "string" ? new Date(date) : date);
}

/** "25,000" */
export function formatCount(n: number): string {
  return count.format(n);
}
