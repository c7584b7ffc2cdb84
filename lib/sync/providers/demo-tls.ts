// The one place the app trusts the demo emulator's certificate: an HTTP agent for requests to
// that emulator, made only when a provider is in demo mode. The process's own trust store is
// left alone, so nothing else (a real Google or Microsoft endpoint) can be vouched for by it.
import fs from "node:fs";
import path from "node:path";
import { Agent, type Dispatcher } from "undici";
import { emulatorCertDir } from "@/lib/env";

let agent: Agent | undefined;

export function demoEmulatorDispatcher(): Dispatcher {
  agent ??= new Agent({ connect: { ca: fs.readFileSync(path.join(emulatorCertDir(), "localhost.crt")) } });
  return agent;
}
