// Who is asking, once per request: the session's user re-read from the database.
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { cache } from "react";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import type { Viewer } from "@/db/queries/visibility";
import { getViewer } from "@/db/queries/users";
import { auth } from "./auth";
import { authSecret } from "./secrets";

/** Auth.js's session cookie names (https, then http); the name is also the key's salt. */
const SESSION_COOKIES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

/** The session's user and company, decrypted from the cookie. auth() would do the same and then
 * encrypt a renewed token that a page cannot even set: twice the cryptography on every request. */
async function sessionIds(): Promise<{ userId: string; companyId: string } | null> {
  const jar = await cookies();
  for (const name of SESSION_COOKIES) {
    // A token too big for one cookie is split into name.0, name.1…: left to Auth.js.
    if (jar.has(`${name}.0`)) {
      const session = await auth();
      return session?.user?.id ? { userId: session.user.id, companyId: session.user.companyId } : null;
    }
    const value = jar.get(name)?.value;
    if (!value) continue;
    const known = decoded.get(value);
    if (known && known.expiresAt > Date.now()) return known.ids;
    // Checks the encryption and the expiry; anything wrong reads as signed out.
    const token = await decode({ token: value, secret: authSecret(), salt: name }).catch(() => null);
    if (!token?.sub || typeof token.companyId !== "string") return null;
    const ids = { userId: token.sub, companyId: token.companyId };
    remember(value, ids, typeof token.exp === "number" ? token.exp * 1000 : Date.now());
    return ids;
  }
  return null;
}

/** Tokens this process has already decrypted (a token is immutable: same cookie, same ids),
 * until they expire; the oldest go first past DECODED_MAX. */
const decoded = new Map<string, { ids: { userId: string; companyId: string }; expiresAt: number }>();
const DECODED_MAX = 1000;

function remember(token: string, ids: { userId: string; companyId: string }, expiresAt: number): void {
  if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
  decoded.set(token, { ids, expiresAt });
}

export const currentViewer = cache(async (): Promise<Viewer | null> => {
  const session = await sessionIds();
  if (!session) return null;
  const viewer = await getViewer(await getDb(), session.userId);
  if (!viewer || viewer.companyId !== session.companyId) return null;
  return viewer;
});

/** For pages: the viewer, or off to the sign-in page. */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) redirect("/sign-in");
  return viewer;
}
