/**
 * Where the test-only TLS certificate lives. Resolved from the working
 * directory (the repo root for npm scripts, Vitest and Next) rather than
 * import.meta.url, which bundlers rewrite; EMULATOR_CERT_DIR overrides it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export function certDir(): string {
  return process.env["EMULATOR_CERT_DIR"] ?? path.join(process.cwd(), "emulators", "certs");
}

export const certPath = (): string => path.join(certDir(), "localhost.crt");
export const keyPath = (): string => path.join(certDir(), "localhost.key");

export function loadTlsFiles(): { key: Buffer; cert: Buffer } {
  return { key: readFileSync(keyPath()), cert: readFileSync(certPath()) };
}

/**
 * A CA bundle for NODE_EXTRA_CA_CERTS that trusts the emulator certificate
 * and keeps whatever bundle the environment already pointed at (this
 * variable takes a single file). Written to the temp dir; returns its path.
 */
export function caBundleWithEmulatorCert(existing = process.env["NODE_EXTRA_CA_CERTS"]): string {
  const parts = [readFileSync(certPath(), "utf8")];
  if (existing && existing !== certPath() && existsSync(existing)) parts.push(readFileSync(existing, "utf8"));
  const file = path.join(os.tmpdir(), `tandem-emulator-ca-${process.pid}.pem`);
  writeFileSync(file, parts.join("\n"));
  return file;
}

/** True if this process was started trusting the emulator certificate. */
export function processTrustsEmulatorCert(): boolean {
  const configured = process.env["NODE_EXTRA_CA_CERTS"];
  if (!configured || !existsSync(configured)) return false;
  return readFileSync(configured, "utf8").includes(readFileSync(certPath(), "utf8").trim());
}
