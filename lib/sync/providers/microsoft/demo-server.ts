// Demo mode's Microsoft: the Graph emulator (emulators/microsoft) over https with this install's
// certificate, seeded with the demo mailboxes, accepting only the app's own client and callback.
// Loaded only in demo mode.
import { ensureMicrosoftEmulator } from "@/emulators";
import { loadTlsFiles } from "@/emulators/shared/certs";
import { emulatorCertDir } from "@/lib/env";
import type { OAuthConfig } from "../definition";

export async function startMicrosoftDemo(port: number, oauth: OAuthConfig): Promise<void> {
  await ensureMicrosoftEmulator({
    port,
    seed: true,
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    redirectUris: [oauth.redirectUri],
    tls: loadTlsFiles(emulatorCertDir()),
  });
}
