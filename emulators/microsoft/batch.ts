/**
 * JSON batching (`POST /v1.0/$batch`): at most 20 requests with unique ids,
 * a Content-Type header whenever there is a body, relative URLs, and
 * `dependsOn` ordering (a failed dependency gives 424). Sub-requests run
 * through the same handlers as top-level requests; binary bodies travel
 * base64-encoded both ways, as Graph does.
 */
import { z } from "zod";
import { jsonReply, serializeReply, type ApiRequest, type Reply } from "../shared/http";
import { parseRequestUrl } from "../shared/http";
import { graphError, throttled } from "./errors";

export const MAX_BATCH_REQUESTS = 20;

const subRequestSchema = z.object({
  id: z.string().min(1),
  method: z.string().min(1),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  dependsOn: z.array(z.string()).optional(),
});
const batchSchema = z.object({ requests: z.array(subRequestSchema) });
type SubRequest = z.infer<typeof subRequestSchema>;

export type SubRequestRunner = (req: ApiRequest) => Promise<Reply>;

function bad(message: string): Error {
  return graphError(400, "BadRequest", message);
}

/** Orders requests so every dependency runs first; rejects unknown ids and cycles. */
function executionOrder(requests: SubRequest[]): SubRequest[] {
  const byId = new Map(requests.map((r) => [r.id, r]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: SubRequest[] = [];
  const visit = (r: SubRequest): void => {
    if (done.has(r.id)) return;
    if (visiting.has(r.id)) throw bad("Circular dependency between batch requests.");
    visiting.add(r.id);
    for (const dep of r.dependsOn ?? []) {
      const target = byId.get(dep);
      if (!target) throw bad(`Request '${r.id}' depends on '${dep}', which is not in the batch.`);
      visit(target);
    }
    visiting.delete(r.id);
    done.add(r.id);
    order.push(r);
  };
  requests.forEach(visit);
  return order;
}

function toSubRequest(r: SubRequest, inherited: Record<string, string>): ApiRequest {
  if (/^https?:\/\//i.test(r.url)) throw bad(`Batch request '${r.id}' must use a relative URL.`);
  const { path, query } = parseRequestUrl(r.url.startsWith("/") ? r.url : `/${r.url}`);
  const headers: Record<string, string> = { ...inherited };
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  let body = Buffer.alloc(0);
  if (r.body !== undefined) {
    const contentType = headers["content-type"] ?? "";
    body = /json/i.test(contentType) ? Buffer.from(JSON.stringify(r.body)) : Buffer.from(String(r.body), "base64");
  }
  return { method: r.method.toUpperCase(), path, query, headers, body };
}

/** Graph writes sub-response header names in canonical case ("Content-Type"), and the SDK looks them up that way. */
function canonicalHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())] = v;
  return out;
}

function toSubResponse(id: string, reply: Reply): Record<string, unknown> {
  const { headers, payload } = serializeReply(reply);
  const out: Record<string, unknown> = { id, status: reply.status, headers: canonicalHeaders(headers) };
  if (payload !== null && payload.length > 0) out["body"] = reply.body.kind === "json" ? reply.body.value : payload.toString("base64");
  return out;
}

export async function runBatch(req: ApiRequest, body: unknown, run: SubRequestRunner, opts: { concurrency: number | null; retryAfterSeconds: number }): Promise<Reply> {
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) throw bad("Invalid batch payload format.");
  const requests = parsed.data.requests;
  if (requests.length === 0) throw bad("The batch request must contain at least one request.");
  if (requests.length > MAX_BATCH_REQUESTS) throw bad(`The number of requests in the batch exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  const ids = new Set<string>();
  for (const r of requests) {
    if (ids.has(r.id)) throw bad(`Batch request id '${r.id}' is duplicated.`);
    ids.add(r.id);
    if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === "content-type")) {
      throw bad(`Content-Type header must be specified for batch request '${r.id}' with a body.`);
    }
    if (/\$batch/i.test(r.url)) throw bad("Nested batch requests are not supported.");
  }
  const inherited: Record<string, string> = {};
  if (req.headers["authorization"]) inherited["authorization"] = req.headers["authorization"];
  const statuses = new Map<string, number>();
  const responses: Record<string, unknown>[] = [];
  let independent = 0;
  for (const r of executionOrder(requests)) {
    const failedDep = (r.dependsOn ?? []).find((d) => (statuses.get(d) ?? 500) >= 400);
    let reply: Reply;
    if (failedDep !== undefined) {
      reply = graphError(424, "FailedDependency", `The request depends on request '${failedDep}', which failed.`).reply;
    } else if ((r.dependsOn ?? []).length === 0 && opts.concurrency !== null && ++independent > opts.concurrency) {
      // Graph sends up to 4 requests of a batch to a mailbox at once; the rest can be throttled individually.
      reply = throttled(opts.retryAfterSeconds).reply;
    } else {
      reply = await run(toSubRequest(r, inherited));
    }
    statuses.set(r.id, reply.status);
    responses.push(toSubResponse(r.id, reply));
  }
  return jsonReply(200, { responses });
}
