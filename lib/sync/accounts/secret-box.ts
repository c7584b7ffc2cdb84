// Seals secrets at rest (OAuth tokens) with AES-256-GCM. The key comes from
// TOKEN_ENCRYPTION_KEY (32 bytes, base64); without it (demo mode) a key is generated once and
// kept under the data folder. The sealed form is "v1.<iv>.<tag>.<ciphertext>" in base64url.
import "server-only";
import crypto from "node:crypto";
import { env } from "@/lib/env";
import { localSecret } from "@/lib/secrets";

const VERSION = "v1";

function key(): Buffer {
  const configured = env().TOKEN_ENCRYPTION_KEY;
  const raw = Buffer.from(configured ?? localSecret("token-key"), configured ? "base64" : "base64url");
  if (raw.length !== 32) throw new Error("TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
  return raw;
}

export function seal(plaintext: string, k: Buffer = key()): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", k, iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function open(sealed: string, k: Buffer = key()): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("Not a sealed secret");
  const decipher = crypto.createDecipheriv("aes-256-gcm", k, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

export function sealJson(value: unknown, k?: Buffer): string {
  return seal(JSON.stringify(value), k);
}

export function openJson<T>(sealed: string, k?: Buffer): T {
  return JSON.parse(open(sealed, k)) as T;
}
