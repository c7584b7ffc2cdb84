/**
 * `npm run emulators`: starts the Google emulator on 127.0.0.1:4010 and the
 * Microsoft one on https://localhost:4020 (ports from GOOGLE_EMULATOR_PORT /
 * MICROSOFT_EMULATOR_PORT), seeded with the demo address books unless
 * `--no-seed`; `--verbose` logs every request. Stops cleanly on SIGINT/SIGTERM.
 */
import { z } from "zod";
import { certPath } from "./shared/certs";
import { DEFAULT_GOOGLE_PORT, DEFAULT_MICROSOFT_PORT, DEMO_ACCOUNTS, startGoogleEmulator, startMicrosoftEmulator } from "./index";

const envSchema = z.object({
  GOOGLE_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_GOOGLE_PORT),
  MICROSOFT_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_MICROSOFT_PORT),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const seed = !process.argv.includes("--no-seed");
  const log = process.argv.includes("--verbose") ? (line: string) => console.log(line) : undefined;
  const google = await startGoogleEmulator({ port: env.GOOGLE_EMULATOR_PORT, seed, log });
  const microsoft = await startMicrosoftEmulator({ port: env.MICROSOFT_EMULATOR_PORT, seed, log });

  console.log(`Google emulator     ${google.url}   (People API rootUrl ${google.url}/, token ${google.endpoints.oauth2TokenUrl})`);
  console.log(`Microsoft emulator  ${microsoft.url}  (Graph ${microsoft.graphBaseUrl}v1.0, token ${microsoft.endpoints.token})`);
  console.log(`Trust the Microsoft emulator's test certificate with NODE_EXTRA_CA_CERTS=${certPath()}`);
  if (seed) {
    console.log("Demo accounts (sign in on the consent screen, or mint tokens via POST /__admin/accounts/{email}/token):");
    for (const a of DEMO_ACCOUNTS) console.log(`  ${a.provider.padEnd(9)} ${a.email.padEnd(30)} ${a.name} — ${a.contacts} contacts in ${a.groups.join(", ")}`);
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping emulators`);
    void Promise.all([google.close(), microsoft.close()]).then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
