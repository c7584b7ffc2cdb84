// What every OAuth provider definition shares.
import { env } from "@/lib/env";

/** The client the emulators accept in demo mode. */
export const DEMO_CLIENT = { clientId: "tandem-demo", clientSecret: "tandem-demo-secret" } as const;

/** Where the provider sends the user back: the app's own callback route. */
export function redirectUriFor(provider: string): string {
  return new URL(`/api/oauth/${provider}/callback`, env().APP_URL).toString();
}
