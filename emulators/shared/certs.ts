/**
 * The Microsoft emulator's TLS certificate: a self-signed leaf for "localhost" made for this
 * install (scripts/emulator-cert.cjs), under EMULATOR_CERT_DIR or .data/emulator-tls (resolved
 * from the working directory, which bundlers leave alone, unlike import.meta.url).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureEmulatorCert } from "../../scripts/emulator-cert.cjs";

export function certDir(): string {
  return process.env["EMULATOR_CERT_DIR"] ?? path.join(process.cwd(), ".data", "emulator-tls");
}

/** The certificate's path, made first if missing. */
export const certPath = (dir = certDir()): string => ensureEmulatorCert(dir).certPath;

export function loadTlsFiles(dir = certDir()): { key: Buffer; cert: Buffer } {
  const files = ensureEmulatorCert(dir);
  return { key: readFileSync(files.keyPath), cert: readFileSync(files.certPath) };
}

/**
 * For test and benchmark processes only (the app never trusts it process-wide): a CA bundle
 * for NODE_EXTRA_CA_CERTS that trusts the emulator certificate and keeps whatever bundle the
 * environment already pointed at (this variable takes a single file). Returns its path.
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
