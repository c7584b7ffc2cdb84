/** Random identifiers and secrets shaped like the providers' own. */
import { randomBytes, randomUUID } from "node:crypto";

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** A random positive 63-bit integer as decimal, like Google's contact ids. */
export function randomDecimalId(): bigint {
  const b = randomBytes(8);
  b[0] = (b[0] ?? 0) & 0x7f;
  const n = b.readBigUInt64BE(0);
  return n === 0n ? 1n : n;
}

export function randomDigits(length: number): string {
  const b = randomBytes(length);
  let out = String(1 + ((b[0] ?? 0) % 9));
  for (let i = 1; i < length; i++) out += String((b[i] ?? 0) % 10);
  return out;
}

export { randomUUID };
