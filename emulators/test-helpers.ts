/**
 * Shared set-up for the emulator conformance tests: one emulator per test
 * file, a fresh account per test (so tests never see each other's data),
 * and official clients bound to minted tokens.
 */
import { randomBytes } from "node:crypto";
import type { people_v1 } from "@googleapis/people";
import type { Client } from "@microsoft/microsoft-graph-client";
import { googlePeopleClient, graphClient } from "./clients";
import { createAccount, mintToken, type MintedToken } from "./shared/admin-client";

export function uniqueEmail(domain = "example.com"): string {
  return `user-${randomBytes(5).toString("hex")}@${domain}`;
}

export interface GoogleTestAccount {
  email: string;
  token: MintedToken;
  people: people_v1.People;
}

export async function newGoogleAccount(url: string, scopes?: string[]): Promise<GoogleTestAccount> {
  const email = uniqueEmail("gmail.com");
  await createAccount(url, email, "Test User");
  const token = await mintToken(url, email, scopes);
  // No expiry_date: google-auth-library then refreshes on a 401, which tests that move the clock rely on.
  return { email, token, people: googlePeopleClient(url, { access_token: token.access_token, refresh_token: token.refresh_token }) };
}

export interface GraphTestAccount {
  email: string;
  token: MintedToken;
  client: Client;
}

export async function newGraphAccount(emu: { url: string; graphBaseUrl: string; publicHost: string }, scopes?: string[]): Promise<GraphTestAccount> {
  const email = uniqueEmail("outlook.com");
  await createAccount(emu.url, email, "Test User");
  const token = await mintToken(emu.url, email, scopes);
  return { email, token, client: graphClient(emu, () => token.access_token) };
}

/** The HTTP status of an error thrown by either client library. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { status?: number; statusCode?: number; response?: { status?: number } };
  return e.status ?? e.statusCode ?? e.response?.status;
}

/** Awaits a promise that must reject, returning the error. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** The JSON error body of a GaxiosError. */
export function googleErrorBody(error: unknown): { code?: number; message?: string; status?: string; details?: { reason?: string; "@type"?: string }[] } {
  const data = (error as { response?: { data?: { error?: unknown } } }).response?.data?.error;
  return (data ?? {}) as ReturnType<typeof googleErrorBody>;
}
