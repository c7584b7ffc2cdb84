/**
 * Runtime-tunable behaviour of the Microsoft emulator (`POST /__admin/config`
 * or `startMicrosoftEmulator({ config })`). Throttling limits are off by
 * default (fault injection covers tests); turn them on for soak runs.
 */
import { z } from "zod";
import { isRecord } from "../shared/http";

const DAY_MS = 24 * 60 * 60 * 1000;

const throttleSchema = z.object({
  /** Outlook allows 4 concurrent requests per app per mailbox. */
  maxConcurrentPerMailbox: z.number().int().min(1).nullable().default(null),
  /** Outlook allows 10,000 requests per 10 minutes per app per mailbox. */
  requestsPerTenMinutes: z.number().int().min(1).nullable().default(null),
  /** Sub-requests of one `$batch` beyond this many (not chained with dependsOn) get their own 429. */
  batchConcurrency: z.number().int().min(1).nullable().default(null),
});

/**
 * Change notification subscriptions (subscriptions.ts). The limits are Graph's documented ones; the
 * times are for delivery, and tests shorten them.
 */
const subscriptionsSchema = z.object({
  /** Outlook message/event/contact subscriptions without resource data: 10,080 minutes (under 7 days). */
  maxExpirationMinutes: z.number().int().min(1).default(10_080),
  /** An expirationDateTime less than this far ahead is raised to it (45 minutes, as documented). */
  minExpirationMinutes: z.number().int().min(0).default(45),
  /** Active Outlook subscriptions per mailbox, all apps together. */
  maxPerMailbox: z.number().int().min(1).default(1000),
  /** The endpoint must echo the validation token within 10 s. */
  validationTimeoutMs: z.number().int().min(1).default(10_000),
  /** A notification POST not answered with a 2xx within 3 s has failed. */
  deliveryTimeoutMs: z.number().int().min(1).default(3000),
  /** Changes within this window are sent together in one collection. */
  batchDelayMs: z.number().int().min(0).default(100),
  /** Waits before each retry of a failed delivery; after the last, the batch is dropped (and `missed` sent). */
  retryDelaysMs: z.array(z.number().int().min(0)).max(10).default([500, 2000]),
});

export const microsoftConfigSchema = z.object({
  accessTokenLifetimeSec: z.number().int().min(1).default(3599),
  /** Refresh tokens die after 90 days without use (AADSTS700082). */
  refreshTokenMaxIdleMs: z.number().int().min(1).default(90 * DAY_MS),
  /** "allow": a rotated-out refresh token keeps working until it expires (what Microsoft documents); "reject": it fails with invalid_grant. */
  refreshTokenReuse: z.enum(["allow", "reject"]).default("allow"),
  /** Delta tokens expire by cache pressure in reality; null = only when forced through the admin API. */
  deltaTokenMaxAgeMs: z.number().int().min(1).nullable().default(null),
  /** Page size of delta rounds without `Prefer: odata.maxpagesize`. */
  deltaDefaultPageSize: z.number().int().min(1).max(1000).default(10),
  /** Page size of list calls without `$top`. */
  listDefaultPageSize: z.number().int().min(1).max(1000).default(10),
  /** Largest page honoured from `$top` / `odata.maxpagesize`. */
  maxPageSize: z.number().int().min(1).default(1000),
  /** Re-send the last item of each delta page at the start of the next, as Graph may replay items. */
  deltaReplay: z.boolean().default(false),
  /** Honour `If-Match` on PATCH/DELETE with 412 ErrorIrresolvableConflict (only when the client sends it). */
  enforceIfMatch: z.boolean().default(true),
  /** Seconds in Retry-After on throttled (429) and unavailable (503) responses. */
  retryAfterSeconds: z.number().int().min(0).default(1),
  maxPhotoBytes: z.number().int().min(1).default(4 * 1024 * 1024),
  /** Added to every Graph response, to simulate network and server time in benchmarks. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  throttle: throttleSchema.default(throttleSchema.parse({})),
  subscriptions: subscriptionsSchema.default(subscriptionsSchema.parse({})),
});

export type MicrosoftConfig = z.infer<typeof microsoftConfigSchema>;

export const microsoftConfigPatchSchema = microsoftConfigSchema.partial().extend({ throttle: throttleSchema.partial().optional(), subscriptions: subscriptionsSchema.partial().optional() });
export type MicrosoftConfigPatch = z.input<typeof microsoftConfigPatchSchema>;

function definedEntries<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** zod 4's partial() still fills each omitted key with its default: keep only the keys the patch names. */
function namedOnly<T>(parsed: T, raw: unknown): T {
  if (!isRecord(parsed) || !isRecord(raw)) return parsed;
  return Object.fromEntries(Object.entries(parsed).flatMap(([k, v]) => (k in raw ? [[k, namedOnly(v, raw[k])]] : []))) as T;
}

/** A runtime patch (`POST /__admin/config`): the keys it names change, every other keeps its value. */
export function parseMicrosoftConfigPatch(raw: unknown): ReturnType<typeof microsoftConfigPatchSchema.safeParse> {
  const parsed = microsoftConfigPatchSchema.safeParse(raw);
  return parsed.success ? { ...parsed, data: namedOnly(parsed.data, raw) } : parsed;
}

export function applyMicrosoftConfigPatch(current: MicrosoftConfig, patch: z.infer<typeof microsoftConfigPatchSchema>): MicrosoftConfig {
  const { throttle, subscriptions, ...rest } = patch;
  return {
    ...current,
    ...definedEntries(rest),
    throttle: { ...current.throttle, ...definedEntries(throttle) },
    subscriptions: { ...current.subscriptions, ...definedEntries(subscriptions) },
  };
}
