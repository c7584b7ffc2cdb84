// Whether an e-mail and password sign a user in: the throttle first (lib/sign-in-throttle.ts),
// then the password. Auth.js's Credentials provider calls it (lib/auth.ts).
import type { DB } from "@/db/client";
import { getUserForSignIn } from "@/db/queries/users";
import { demoMode } from "./env";
import { textLogger } from "./logger";
import { burnPasswordCheck, DEMO_PASSWORD, verifyPassword } from "./password";
import { claimAttempt, recordSuccess } from "./sign-in-throttle";

export type SignedIn = { id: string; name: string; email: string; companyId: string };

/** The user the credentials sign in, null for wrong ones, "throttled" while too many attempts
 * for the account or the address wait out their delay. */
export async function checkCredentials(
  db: DB,
  input: { email: string; password: string; address: string | null },
  opts: { demo?: boolean } = {},
): Promise<SignedIn | "throttled" | null> {
  const { email, password } = input;
  const keys = { account: email, address: input.address };
  // The attempt is counted before the password is checked (and taken back on success).
  if ((await claimAttempt(db, keys)) > 0) return "throttled";
  const user = await getUserForSignIn(db, email);
  // The demo users' password is published: outside demo mode it signs nobody in, whichever
  // account holds it (one seeded in a demo that later became a real installation, say).
  if (password === DEMO_PASSWORD && !(opts.demo ?? demoMode())) {
    await burnPasswordCheck(password);
    if (user) textLogger("[auth]").warn("a sign-in with the published demo password was refused: demo mode is off; give the account another password", { userId: user.id });
    return null;
  }
  if (!user) {
    await burnPasswordCheck(password);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  await recordSuccess(db, keys);
  return { id: user.id, name: user.name, email: user.email, companyId: user.companyId };
}
