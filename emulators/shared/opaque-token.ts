/**
 * Stateless opaque tokens (page tokens, sync tokens, delta skip/delta tokens):
 * a JSON payload plus a truncated HMAC, base64url-encoded. Clients cannot
 * forge or edit them, and the emulator needs no per-token storage, so a
 * 25,000-contact listing costs nothing to remember.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export class TokenSealer {
  private readonly key = randomBytes(32);

  seal(payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), "utf8");
    const mac = createHmac("sha256", this.key).update(body).digest().subarray(0, 12);
    return Buffer.concat([mac, body]).toString("base64url");
  }

  /** The payload, or `null` for anything not sealed by this emulator instance. */
  open(token: string): unknown {
    if (!/^[A-Za-z0-9_-]{17,}$/.test(token)) return null;
    const raw = Buffer.from(token, "base64url");
    if (raw.length < 13) return null;
    const mac = raw.subarray(0, 12);
    const body = raw.subarray(12);
    const expected = createHmac("sha256", this.key).update(body).digest().subarray(0, 12);
    if (!timingSafeEqual(mac, expected)) return null;
    try {
      return JSON.parse(body.toString("utf8")) as unknown;
    } catch {
      return null;
    }
  }
}
