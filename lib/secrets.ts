// Secrets that a demo on a laptop needs but nobody configured: generated once and kept under
// the data folder (mode 600). Production sets them in the environment instead.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "./env";

export function localSecret(name: string): string {
  const file = path.join(dataDir(), `${name}.secret`);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const value = crypto.randomBytes(32).toString("base64url");
    try {
      fs.writeFileSync(file, value, { flag: "wx", mode: 0o600 });
      return value;
    } catch {
      // Another process wrote it first: use theirs.
      return fs.readFileSync(file, "utf8").trim();
    }
  }
}

export function authSecret(): string {
  return env().AUTH_SECRET ?? localSecret("auth");
}
