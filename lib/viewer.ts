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
    // Checks the encryption and the expiry; anything wrong reads as signed out.
    const token = await decode({ token: value, secret: authSecret(), salt: name }).catch(() => null);
    if (!token?.sub || typeof token.companyId !== "string") return null;
    return { userId: token.sub, companyId: token.companyId };
  }
  return null;
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
