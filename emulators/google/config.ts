/**
 * Runtime-tunable behaviour of the Google emulator (`POST /__admin/config`
 * or `startGoogleEmulator({ config })`). Defaults match the real service
 * where it is documented; the switches exercise rarer real-world paths.
 */
import { z } from "zod";

const DAY_MS = 24 * 60 * 60 * 1000;

const quotasSchema = z.object({
  criticalReadsPerMinute: z.number().int().min(1).nullable().default(null),
  criticalWritesPerMinute: z.number().int().min(1).nullable().default(null),
  writesPerMinute: z.number().int().min(1).nullable().default(null),
  groupReadsPerMinute: z.number().int().min(1).nullable().default(null),
  photoWritesPerMinute: z.number().int().min(1).nullable().default(null),
});

export const googleConfigSchema = z.object({
  /** Access-token lifetime returned as expires_in. */
  accessTokenLifetimeSec: z.number().int().min(1).default(3599),
  /** "Sync tokens expire 7 days after the full sync." */
  syncTokenMaxAgeMs: z.number().int().min(0).default(7 * DAY_MS),
  /** 400 FAILED_PRECONDITION is what the API returns today; 410 is the legacy behaviour some docs still describe. */
  expiredSyncTokenStatus: z.union([z.literal(400), z.literal(410)]).default(400),
  /** Changes become visible to syncToken requests only this long after they happen (people.get sees them at once). */
  propagationDelayMs: z.number().int().min(0).default(0),
  /** Apps in "Testing" publishing status get refresh tokens that die after 7 days; null = never. */
  refreshTokenMaxAgeMs: z.number().int().min(1).nullable().default(null),
  /** Reject etags handed out by connections.list in updateContact (to test refetch-and-retry). */
  strictEtags: z.boolean().default(false),
  /** Added to every People API response, to simulate network and server time in benchmarks. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Answer a mutation that overlaps another one for the same user with 409 ABORTED ("mutate requests for the same user should be sent sequentially"); overlaps need latencyMs > 0. */
  rejectConcurrentMutations: z.boolean().default(false),
  /** Google's per-account maximum. */
  maxContacts: z.number().int().min(1).default(25_000),
  /** Per-user per-minute quotas (null = unlimited); exceeded → 429 RESOURCE_EXHAUSTED. */
  quotas: quotasSchema.default(quotasSchema.parse({})),
});

export type GoogleConfig = z.infer<typeof googleConfigSchema>;

export const googleConfigPatchSchema = googleConfigSchema.partial().extend({ quotas: quotasSchema.partial().optional() });
export type GoogleConfigPatch = z.input<typeof googleConfigPatchSchema>;

export function applyGoogleConfigPatch(current: GoogleConfig, patch: z.infer<typeof googleConfigPatchSchema>): GoogleConfig {
  const { quotas, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const definedQuotas = Object.fromEntries(Object.entries(quotas ?? {}).filter(([, v]) => v !== undefined));
  return { ...current, ...defined, quotas: { ...current.quotas, ...definedQuotas } };
}
