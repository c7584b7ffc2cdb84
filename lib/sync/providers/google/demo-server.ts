// Demo mode's Google: the People API emulator (emulators/google), seeded with the demo address
// books, accepting only the app's own client and callback. Loaded only in demo mode.
import { ensureGoogleEmulator } from "@/emulators";
import type { OAuthConfig } from "../definition";

export async function startGoogleDemo(port: number, oauth: OAuthConfig): Promise<void> {
  await ensureGoogleEmulator({ port, seed: true, clientId: oauth.clientId, clientSecret: oauth.clientSecret, redirectUris: [oauth.redirectUri] });
}
