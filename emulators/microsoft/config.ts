/**
 * Runtime-tunable behaviour of the Microsoft emulator (`POST /__admin/config`
 * or `startMicrosoftEmulator({ config })`). Throttling limits are off by
 * default (fault injection covers tests); turn them on for soak runs.
 */
import { z } from "zod";

const DAY_MS = 24 * 60 * 60 * 1000;

const throttleSchema = z.object({
  /** Outlook allows 4 concurrent requests per app per mailbox. */
  maxConcurrentPerMailbox: z.number().int().min(1).nullable().default(null),
  /** Outlook allows 10,000 requests per 10 minutes per app per mailbox. */
  requestsPerTenMinutes: z.number().int().min(1).nullable().default(null),
  /** Sub-requests of one `$batch` beyond this many (not chained with dependsOn) get their own 429. */
  batchConcurrency: z.number().int().min(1).nullable().default(null),
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
});

export type MicrosoftConfig = z.infer<typeof microsoftConfigSchema>;

export const microsoftConfigPatchSchema = microsoftConfigSchema.partial().extend({ throttle: throttleSchema.partial().optional() });
export type MicrosoftConfigPatch = z.input<typeof microsoftConfigPatchSchema>;

export function applyMicrosoftConfigPatch(current: MicrosoftConfig, patch: z.infer<typeof microsoftConfigPatchSchema>): MicrosoftConfig {
  const { throttle, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const definedThrottle = Object.fromEntries(Object.entries(throttle ?? {}).filter(([, v]) => v !== undefined));
  return { ...current, ...defined, throttle: { ...current.throttle, ...definedThrottle } };
}
