// Sign-in with e-mail and password (Auth.js v5, Credentials provider, JWT sessions in an
// httpOnly, SameSite=Lax cookie). The token carries only the user and company ids; everything
// else about the user is re-read from the database on each request (see lib/viewer.ts).
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db";
import { authSecret } from "./secrets";
import { checkCredentials } from "./sign-in";

declare module "next-auth" {
  interface User {
    companyId?: string;
  }
  interface Session {
    user: { id: string; companyId: string; name?: string | null; email?: string | null };
  }
}

export class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(1024),
});

/** Set by the app's server (scripts/server.mjs) from the socket, or from X-Forwarded-For only
 * through TRUST_PROXY_HOPS trusted proxies; never what a client claims. */
function clientAddress(request: Request): string | null {
  return request.headers.get("x-tandem-client-address") || null;
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  secret: authSecret(),
  trustHost: true,
  session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  logger: {
    // Wrong passwords are routine; log them without the noise of a stack trace.
    error(error) {
      const type = (error as { type?: string }).type ?? error.name;
      if (type === "CredentialsSignin") return;
      const cause = (error as { cause?: { err?: unknown } }).cause?.err;
      console.error(`[auth] ${type}: ${error.message}`, cause instanceof Error ? cause.stack : "");
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const user = await checkCredentials(await getDb(), { ...parsed.data, address: clientAddress(request) });
        if (user === "throttled") throw new ThrottledSignIn();
        return user;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        token.companyId = user.companyId;
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? "";
      session.user.companyId = typeof token.companyId === "string" ? token.companyId : "";
      return session;
    },
  },
});
