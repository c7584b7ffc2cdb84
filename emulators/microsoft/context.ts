/** What a Graph route handler receives once auth, faults and throttling have passed. */
import type { ApiRequest, Reply } from "../shared/http";
import { parseJsonBody } from "../shared/http";
import { graphError } from "./errors";
import type { Mailbox } from "./mailbox";
import type { MicrosoftState } from "./state";

export interface GraphContext {
  req: ApiRequest;
  state: MicrosoftState;
  mailbox: Mailbox;
  /** The calling app (the access token's client id) and the scopes its token carries. */
  clientId: string;
  scopes: readonly string[];
  params: string[];
}

/** Most handlers answer at once; subscription handlers wait for the subscriber's endpoint. */
export type GraphHandler = (ctx: GraphContext) => Reply | Promise<Reply>;

export function graphBase(state: MicrosoftState): string {
  return `${state.baseUrl}/v1.0`;
}

export function jsonBody(req: ApiRequest): unknown {
  const body = parseJsonBody(req.body);
  if (body === undefined) throw graphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
  if (body === null) throw graphError(400, "BadRequest", "Empty Payload. JSON content expected.");
  return body;
}
