// Slows down password guessing: after a few failures for one account (or many from one
// address) further attempts are refused for a delay that doubles with each failure.
// Kept in the database so that every app process sees the same counts.
import { inArray, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { signInThrottle } from "@/db/schema";

export const ACCOUNT_FREE_FAILURES = 5;
export const ADDRESS_FREE_FAILURES = 20;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
const WINDOW_MS = 60 * 60_000;

export type ThrottleKeys = { account: string; address: string | null };

function keysOf(keys: ThrottleKeys): string[] {
  return [`account:${keys.account.toLowerCase()}`, ...(keys.address ? [`address:${keys.address}`] : [])];
}

export function delayAfter(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** (failures - free), MAX_DELAY_MS);
}

/** Milliseconds the caller must still wait, 0 when an attempt is allowed now. */
export async function throttleWait(db: DB, keys: ThrottleKeys, now = new Date()): Promise<number> {
  const rows = await db
    .select({ blockedUntil: signInThrottle.blockedUntil })
    .from(signInThrottle)
    .where(inArray(signInThrottle.key, keysOf(keys)));
  return Math.max(0, ...rows.map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now.getTime() : 0)));
}

export async function recordFailure(db: DB, keys: ThrottleKeys, now = new Date()): Promise<void> {
  for (const key of keysOf(keys)) {
    const free = key.startsWith("account:") ? ACCOUNT_FREE_FAILURES : ADDRESS_FREE_FAILURES;
    // Raw SQL fragments get ISO strings: postgres.js does not serialise a Date inside sql``.
    const at = now.toISOString();
    const windowStart = new Date(now.getTime() - WINDOW_MS).toISOString();
    const firstBlock = delayAt(1, free, now)?.toISOString() ?? null;
    await db
      .insert(signInThrottle)
      .values({ key, failures: 1, lastFailureAt: now, blockedUntil: delayAt(1, free, now) })
      .onConflictDoUpdate({
        target: signInThrottle.key,
        set: {
          failures: sql`case when ${signInThrottle.lastFailureAt} < ${windowStart}::timestamptz then 1 else ${signInThrottle.failures} + 1 end`,
          lastFailureAt: now,
          blockedUntil: sql`case
            when ${signInThrottle.lastFailureAt} < ${windowStart}::timestamptz then ${firstBlock}::timestamptz
            when ${signInThrottle.failures} + 1 >= ${free}
              then ${at}::timestamptz + least(${BASE_DELAY_MS}::float8 * power(2, ${signInThrottle.failures} + 1 - ${free}), ${MAX_DELAY_MS}) * interval '1 millisecond'
            else null end`,
        },
      });
  }
}

function delayAt(failures: number, free: number, now: Date): Date | null {
  const delay = delayAfter(failures, free);
  return delay > 0 ? new Date(now.getTime() + delay) : null;
}

/** A successful sign-in clears the account's count (not the address's: one good password
 * must not reset a spray across many accounts). */
export async function recordSuccess(db: DB, keys: ThrottleKeys): Promise<void> {
  await db.delete(signInThrottle).where(inArray(signInThrottle.key, [keysOf(keys)[0]!]));
}
