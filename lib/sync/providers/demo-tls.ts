// The one place the app trusts the demo emulator's certificate: the agent of a provider in demo
// mode is given it (outbound/policy.ts), and talks only to that emulator. The process's own trust
// store is left alone, so nothing else (a real Google or Microsoft endpoint) can be vouched for
// by it.
import fs from "node:fs";
import path from "node:path";
import { emulatorCertDir } from "@/lib/env";

export function demoEmulatorCertificate(): Buffer {
  return fs.readFileSync(path.join(emulatorCertDir(), "localhost.crt"));
}
