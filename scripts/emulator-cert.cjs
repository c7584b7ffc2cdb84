// The TLS certificate of the Microsoft emulator (Graph's client sends tokens only over https):
// a self-signed leaf for "localhost" only — not a CA, so trusting it vouches for nothing else —
// made for this install by openssl, and never committed. Only the HTTP agent that talks to the
// emulator trusts it (and test processes, through NODE_EXTRA_CA_CERTS).
// CommonJS, so that every loader of this repo can require it: plain node (scripts), Next,
// Vitest and Playwright's TypeScript loader alike.
//   node scripts/emulator-cert.cjs [DIR]   # makes it if missing; prints the certificate's path
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

/** @param {string} dir  @returns {{ certPath: string, keyPath: string }} */
function ensureEmulatorCert(dir) {
  const certPath = path.join(dir, "localhost.crt");
  const keyPath = path.join(dir, "localhost.key");
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return { certPath, keyPath };
  // Made in a folder of its own, which then takes the final name in one rename: two processes
  // starting together never read half a pair (the loser's rename fails and it uses the winner's).
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "825",
      "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost",
      "-addext", "basicConstraints=critical,CA:FALSE",
      "-addext", "keyUsage=critical,digitalSignature",
      "-addext", "extendedKeyUsage=serverAuth",
      "-keyout", path.join(tmp, "localhost.key"), "-out", path.join(tmp, "localhost.crt"),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  fs.chmodSync(path.join(tmp, "localhost.key"), 0o600);
  try {
    if (fs.existsSync(dir)) fs.rmdirSync(dir); // an empty folder left by someone: not a pair
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(certPath)) throw new Error(`Could not create the emulator certificate in ${dir}`);
  }
  return { certPath, keyPath };
}

exports.ensureEmulatorCert = ensureEmulatorCert;

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? process.env.EMULATOR_CERT_DIR ?? path.join(".data", "emulator-tls"));
  process.stdout.write(`${ensureEmulatorCert(dir).certPath}\n`);
}
