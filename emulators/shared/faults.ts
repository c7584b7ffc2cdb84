/**
 * Fault injection driven by `POST /__admin/faults`: the next N API requests
 * (optionally only one account's) fail with a throttling or server error, and
 * `expire_sync_tokens` invalidates every sync token / delta link issued so far
 * by bumping a generation number that those tokens carry. `refuse_writes`
 * stands for a provider refusing a contact for what it holds (a value its
 * rules do not allow): until the faults are cleared, every write whose body
 * contains `match` is answered as a bad request with `message` — per contact
 * where the provider answers per contact.
 */
import { z } from "zod";

export const faultSpecSchema = z.object({
  kind: z.enum(["rate_limit", "server_error", "expire_sync_tokens", "refuse_writes"]),
  count: z.number().int().min(1).max(1_000_000).default(1),
  /** Only requests made for this account consume the fault. */
  email: z.string().min(1).optional(),
  /** HTTP status for `server_error` (default 500 for Google, 503 for Microsoft). */
  status: z.number().int().min(500).max(599).optional(),
  /** Retry-After seconds on Microsoft 429/503 (Google sends none, as the real API). */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** `refuse_writes`: the text a refused write's body contains. */
  match: z.string().min(1).optional(),
  /** `refuse_writes`: the provider's reason. */
  message: z.string().min(1).optional(),
}).refine((f) => f.kind !== "refuse_writes" || f.match !== undefined, { message: "refuse_writes needs match", path: ["match"] });
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface PendingFault {
  kind: "rate_limit" | "server_error";
  remaining: number;
  email?: string;
  status?: number;
  retryAfterSeconds?: number;
}

export type TriggeredFault = Omit<PendingFault, "remaining">;

export interface Refusal {
  match: string;
  message: string;
  email?: string;
}

export class FaultInjector {
  private pending: PendingFault[] = [];
  private refusals: Refusal[] = [];
  private generation = 0;

  /** Sync tokens and delta links carry this; older generations are expired. */
  syncGeneration(): number {
    return this.generation;
  }

  add(spec: FaultSpec): void {
    if (spec.kind === "expire_sync_tokens") {
      this.generation += 1;
      return;
    }
    if (spec.kind === "refuse_writes") {
      this.refusals.push({ match: spec.match!, message: spec.message ?? "Request contains an invalid argument.", email: spec.email?.toLowerCase() });
      return;
    }
    this.pending.push({
      kind: spec.kind,
      remaining: spec.count,
      email: spec.email?.toLowerCase(),
      status: spec.status,
      retryAfterSeconds: spec.retryAfterSeconds,
    });
  }

  /** Consumes one pending fault that applies to this account, if any. */
  take(email: string | null): TriggeredFault | null {
    const index = this.pending.findIndex((f) => f.email === undefined || f.email === email);
    if (index === -1) return null;
    const fault = this.pending[index];
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.pending.splice(index, 1);
    return { kind: fault.kind, email: fault.email, status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  /** The refusal a write with this body meets, if any (it stays until cleared). */
  refusal(email: string | null, body: string): Refusal | null {
    return this.refusals.find((r) => (r.email === undefined || r.email === email) && body.includes(r.match)) ?? null;
  }

  list(): PendingFault[] {
    return this.pending.map((f) => ({ ...f }));
  }

  listRefusals(): Refusal[] {
    return this.refusals.map((r) => ({ ...r }));
  }

  clear(): void {
    this.pending = [];
    this.refusals = [];
  }

  reset(): void {
    this.pending = [];
    this.refusals = [];
    this.generation += 1;
  }
}
