// Password hashing with bcrypt (bcryptjs: pure JS, no native build step on a fresh machine).
import bcrypt from "bcryptjs";

const COST = 10;
/** The demo users' password, published in the README: outside demo mode it signs nobody in
 * (lib/auth.ts), whichever account holds it. */
export const DEMO_PASSWORD = "tandem-demo";
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt only reads the first 72 bytes; refuse longer input rather than silently truncating it. */
export const PASSWORD_MAX_BYTES = 72;

export async function hashPassword(password: string): Promise<string> {
  if (password.length < PASSWORD_MIN_LENGTH) throw new Error("Password too short");
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES) throw new Error("Password too long");
  return bcrypt.hash(password, COST);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES) return false;
  return bcrypt.compare(password, hash);
}

/** A hash of nothing in particular, compared against when the account does not exist, so that
 * an unknown address takes as long as a wrong password. */
const DUMMY_HASH = bcrypt.hashSync("not-a-real-password", COST);
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, DUMMY_HASH);
}
