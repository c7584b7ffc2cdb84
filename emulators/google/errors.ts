/**
 * Google API error bodies (`{"error":{code,message,status,details}}`) and
 * the OAuth endpoint's flat `{"error","error_description"}` shape. Messages
 * follow captured real responses where provider-apis.md has them.
 */
import { jsonReply, ReplyError, type HeaderMap } from "../shared/http";

export function googleError(code: number, status: string, message: string, details?: unknown[], headers?: HeaderMap): ReplyError {
  return new ReplyError(jsonReply(code, { error: { code, message, status, ...(details && details.length > 0 ? { details } : {}) } }, headers));
}

export function invalidArgument(message: string, details?: unknown[]): ReplyError {
  return googleError(400, "INVALID_ARGUMENT", message, details);
}

export function badRequestField(field: string, description: string): ReplyError {
  return invalidArgument(description, [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field, description }] }]);
}

export function failedPrecondition(message: string, details?: unknown[]): ReplyError {
  return googleError(400, "FAILED_PRECONDITION", message, details);
}

export function notFound(): ReplyError {
  return googleError(404, "NOT_FOUND", "Requested entity was not found.");
}

export const DOCS_GET = "https://developers.google.com/people/api/rest/v1/people/get";

export function maskRequired(param: string, docsUrl: string): ReplyError {
  return invalidArgument(`${param} mask is required. Please specify one or more valid paths. Valid paths are documented at ${docsUrl}.`);
}

export function invalidMaskPath(param: string, path: string, docsUrl: string): ReplyError {
  return invalidArgument(`Invalid ${param} mask path: "${path}". Valid paths are documented at ${docsUrl}.`);
}

export function expiredSyncToken(status: 400 | 410): ReplyError {
  return googleError(status, "FAILED_PRECONDITION", "Sync token is expired. Clear local cache and retry call without the sync token.", [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "EXPIRED_SYNC_TOKEN", domain: "people.googleapis.com" },
  ]);
}

export function etagMismatch(): ReplyError {
  const message = "Request person.etag is different than the current person.etag. Clear local cache and get the latest person.";
  return failedPrecondition(message, [{ "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: `[ORIGINAL ERROR] generic::failed_precondition: ${message}` }]);
}

const AUTH_HELP = "Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

export function unauthenticated(reason: "CREDENTIALS_MISSING" | "ACCESS_TOKEN_EXPIRED" | "ACCESS_TOKEN_TYPE_UNSUPPORTED", rpcMethod: string): ReplyError {
  const message = reason === "CREDENTIALS_MISSING" ? `Request is missing required authentication credential. ${AUTH_HELP}` : `Request had invalid authentication credentials. ${AUTH_HELP}`;
  return googleError(
    401,
    "UNAUTHENTICATED",
    message,
    [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com", metadata: { service: "people.googleapis.com", method: rpcMethod } }],
    { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' },
  );
}

export function insufficientScope(rpcMethod: string, requiredScope: string): ReplyError {
  return googleError(
    403,
    "PERMISSION_DENIED",
    "Request had insufficient authentication scopes.",
    [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT", domain: "googleapis.com", metadata: { service: "people.googleapis.com", method: rpcMethod } }],
    { "www-authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${requiredScope}"` },
  );
}

export type QuotaBucket = "criticalRead" | "criticalWrite" | "write" | "groupRead" | "photoWrite";

const QUOTA_NAMES: Record<QuotaBucket, { metric: string; limit: string; label: string }> = {
  criticalRead: { metric: "critical_read_requests", limit: "CriticalReadsPerMinutePerProjectPerUser", label: "Critical read requests (Contact and Profile Reads)" },
  criticalWrite: { metric: "critical_write_requests", limit: "CriticalWritesPerMinutePerProjectPerUser", label: "Critical write requests (Contact Creates and Updates)" },
  write: { metric: "write_requests", limit: "WritesPerMinutePerProjectPerUser", label: "Write requests (Contact Deletes and Contact Group Writes)" },
  groupRead: { metric: "read_requests", limit: "ReadsPerMinutePerProjectPerUser", label: "Read requests (Contact Group Reads)" },
  photoWrite: { metric: "photo_write_requests", limit: "PhotoWritesPerMinutePerProjectPerUser", label: "Photo write requests" },
};

/** 429 as seen in production; note: no Retry-After header, like the real API. */
export function rateLimited(bucket: QuotaBucket): ReplyError {
  const names = QUOTA_NAMES[bucket];
  return googleError(
    429,
    "RESOURCE_EXHAUSTED",
    `Quota exceeded for quota metric '${names.label}' and limit '${names.label} per minute per user' of service 'people.googleapis.com' for consumer 'project_number:000000000000'.`,
    [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "RATE_LIMIT_EXCEEDED",
        domain: "googleapis.com",
        metadata: { consumer: "projects/000000000000", quota_limit: names.limit, service: "people.googleapis.com", quota_metric: `people.googleapis.com/${names.metric}` },
      },
    ],
  );
}

export function serverError(status: number): ReplyError {
  if (status === 503) return googleError(503, "UNAVAILABLE", "The service is currently unavailable.");
  if (status === 504) return googleError(504, "DEADLINE_EXCEEDED", "The request timed out.");
  return googleError(status, "INTERNAL", "Internal error encountered.");
}

/** The token endpoint's error shape. */
export function oauthError(status: number, error: string, description: string): ReplyError {
  return new ReplyError(jsonReply(status, { error, error_description: description }));
}
