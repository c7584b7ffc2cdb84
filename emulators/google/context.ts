/** What a People API route handler receives once auth, faults and quotas have passed. */
import type { ApiRequest, Reply } from "../shared/http";
import type { GoogleAccount } from "./account";
import { invalidArgument } from "./errors";
import type { GoogleState } from "./state";

export interface GoogleApiContext {
  req: ApiRequest;
  state: GoogleState;
  account: GoogleAccount;
  params: string[];
}

export type GoogleHandler = (ctx: GoogleApiContext) => Reply;

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === "" || v === "false" || v === "0") return false;
  if (v === "true" || v === "1") return true;
  throw invalidArgument(`Invalid value at '${name}' (TYPE_BOOL), "${v}"`);
}

export function intParam(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null || v === "") return null;
  if (!/^-?\d+$/.test(v)) throw invalidArgument(`Invalid value at '${name}' (TYPE_INT32), "${v}"`);
  return Number(v);
}

export const READ_SOURCE_TYPES = ["READ_SOURCE_TYPE_UNSPECIFIED", "READ_SOURCE_TYPE_PROFILE", "READ_SOURCE_TYPE_CONTACT", "READ_SOURCE_TYPE_DOMAIN_CONTACT", "READ_SOURCE_TYPE_OTHER_CONTACT"];

/** Validates the repeated `sources` enum; returns them sorted for parameter binding. */
export function sourcesParam(values: unknown[], where = "sources"): string[] {
  values.forEach((v, i) => {
    if (typeof v !== "string" || !READ_SOURCE_TYPES.includes(v)) {
      throw invalidArgument(`Invalid value at '${where}[${i}]' (type.googleapis.com/google.people.v1.ReadSourceType), ${JSON.stringify(v)}`);
    }
  });
  return (values as string[]).slice().sort();
}

/** `people/c123` → the contact id, or null if the name is not a contact resource name. */
export function contactIdOf(resourceName: string): string | null {
  const m = /^people\/(c\d{1,20})$/.exec(resourceName);
  return m?.[1] ?? null;
}
