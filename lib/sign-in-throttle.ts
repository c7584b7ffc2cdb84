// Slows down password guessing: after a few failures for one account (or many from one
// address) further attempts are refused for a delay that doubles with each failure. The same
// counts slow down other guessing through the app: the CardDAV connect form (per user and per
// server it is pointed at, lib/sync/accounts/password-flow.ts).
// Kept in the database so that every app process sees the same counts.
import { eq, inArray, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { signInThrottle } from "@/db/schema";

export const ACCOUNT_FREE_FAILURES = 5;
export const ADDRESS_FREE_FAILURES = 20;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
const WINDOW_MS = 60 * 60_000;

export type ThrottleKeys = { account: string; address: string | null };

/** A throttled key, and the failures it allows before the delays start. */
export type ThrottleKey = { key: string; free: number };

function keysOf(keys: ThrottleKeys): ThrottleKey[] {
  return [
    { key: `account:${keys.account.toLowerCase()}`, free: ACCOUNT_FREE_FAILURES },
    ...(keys.address ? [{ key: `address:${keys.address}`, free: ADDRESS_FREE_FAILURES }] : []),
  ];
}

export function delayAfter(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** (failures - free), MAX_DELAY_MS);
}

/** Milliseconds the caller must still wait, 0 when an attempt is allowed now. */
export async function throttleWait(db: DB, keys: ThrottleKeys | ThrottleKey[], now = new Date()): Promise<number> {
  const rows = await db
    .select({ blockedUntil: signInThrottle.blockedUntil })
    .from(signInThrottle)
    .where(inArray(signInThrottle.key, listOf(keys).map((k) => k.key)));
  return Math.max(0, ...rows.map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now.getTime() : 0)));
}

/** Counts a failure for each key. */
export async function recordFailure(db: DB, keys: ThrottleKeys, now = new Date()): Promise<void> {
  for (const key of keysOf(keys)) await countFailure(db, key, now, false);
}

const listOf = (keys: ThrottleKeys | ThrottleKey[]) => (Array.isArray(keys) ? keys : keysOf(keys));

/** Check and record in one step, per key: an attempt that is allowed is counted as a failure at
 * once (a success takes it back, recordSuccess), under the row's lock — so 30 wrong passwords
 * sent in parallel cannot all pass a check made before any of them was counted. Returns the
 * milliseconds to wait: 0 when the attempt may go ahead. */
export async function claimAttempt(db: DB, keys: ThrottleKeys | ThrottleKey[], now = new Date()): Promise<number> {
  const counted: ThrottleKey[] = [];
  for (const key of listOf(keys)) {
    if (!(await countFailure(db, key, now, true))) {
      // Refused: the attempt is not made, so it counts against none of its keys.
      await takeBack(db, counted);
      return Math.max(1, await throttleWait(db, keys, now));
    }
    counted.push(key);
  }
  return 0;
}

/** One failure more for a key, unless `onlyIfFree` and the key is blocked now. Returns whether
 * it was counted. */
async function countFailure(db: DB, { key, free }: ThrottleKey, now: Date, onlyIfFree: boolean): Promise<boolean> {
  // Raw SQL fragments get ISO strings: postgres.js does not serialise a Date inside sql``.
  const at = now.toISOString();
  const windowStart = new Date(now.getTime() - WINDOW_MS).toISOString();
  const firstBlock = delayAt(1, free, now)?.toISOString() ?? null;
  const counted = await db
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
      ...(onlyIfFree ? { setWhere: sql`${signInThrottle.blockedUntil} is null or ${signInThrottle.blockedUntil} <= ${at}::timestamptz` } : {}),
    })
    .returning({ key: signInThrottle.key });
  return counted.length > 0;
}

function delayAt(failures: number, free: number, now: Date): Date | null {
  const delay = delayAfter(failures, free);
  return delay > 0 ? new Date(now.getTime() + delay) : null;
}

/** A successful sign-in clears the account's count, and takes back the failure claimAttempt
 * counted for the address (only that one: a good password must not reset a spray across many
 * accounts). */
export async function recordSuccess(db: DB, keys: ThrottleKeys): Promise<void> {
  const [account, address] = keysOf(keys);
  await db.delete(signInThrottle).where(eq(signInThrottle.key, account!.key));
  if (address) await takeBack(db, [address]);
}

/** Takes back the failure claimAttempt counted for each key (the attempt went through). */
export async function takeBack(db: DB, keys: ThrottleKey[]): Promise<void> {
  for (const { key, free } of keys) {
    await db
      .update(signInThrottle)
      .set({
        failures: sql`greatest(${signInThrottle.failures} - 1, 0)`,
        blockedUntil: sql`case when ${signInThrottle.failures} - 1 < ${free} then null else ${signInThrottle.blockedUntil} end`,
      })
      .where(eq(signInThrottle.key, key));
  }
}
