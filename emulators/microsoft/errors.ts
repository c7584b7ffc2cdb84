/**
 * Microsoft Graph error bodies (`{"error":{code,message,innerError}}`) and
 * the identity platform's token-endpoint errors (`invalid_grant` with an
 * AADSTS code in error_description and error_codes).
 */
import { jsonReply, ReplyError, type HeaderMap } from "../shared/http";
import { randomUUID } from "../shared/ids";

export function graphError(status: number, code: string, message: string, headers?: HeaderMap): ReplyError {
  const requestId = randomUUID();
  return new ReplyError(
    jsonReply(status, { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), "request-id": requestId, "client-request-id": requestId } } }, { "request-id": requestId, ...headers }),
  );
}

export const itemNotFound = (): ReplyError => graphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
export const idMalformed = (): ReplyError => graphError(400, "ErrorInvalidIdMalformed", "Id is malformed.");
export const badRequest = (message: string): ReplyError => graphError(400, "BadRequest", message);
export const accessDenied = (): ReplyError => graphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");

export function invalidAuthenticationToken(message: string): ReplyError {
  return graphError(401, "InvalidAuthenticationToken", message, {
    "www-authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  });
}

export function throttled(retryAfterSeconds: number, message = "Application is over its MailboxConcurrency limit."): ReplyError {
  return graphError(429, "ApplicationThrottled", message, { "retry-after": String(retryAfterSeconds) });
}

export function serviceError(status: number, retryAfterSeconds: number): ReplyError {
  if (status === 503) return graphError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.", { "retry-after": String(retryAfterSeconds) });
  if (status === 504) return graphError(504, "GatewayTimeout", "The gateway did not receive a timely response.", { "retry-after": String(retryAfterSeconds) });
  return graphError(status, "InternalServerError", "An internal server error occurred. The operation failed.");
}

export function syncStateNotFound(): ReplyError {
  return graphError(410, "SyncStateNotFound", `The sync state generation is not found; generation=${Math.floor(Math.random() * 200)};[highest=0].`);
}

export function irresolvableConflict(): ReplyError {
  return graphError(
    412,
    "ErrorIrresolvableConflict",
    "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
  );
}

/** The token endpoint's error body, as login.microsoftonline.com sends it. */
export function aadError(status: number, error: string, code: number, message: string): ReplyError {
  const timestamp = new Date().toISOString().replace("T", " ").slice(0, 19) + "Z";
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return new ReplyError(
    jsonReply(status, {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    }),
  );
}
