// Google's environment variables: its OAuth client (without one it is offered only in demo mode,
// against its emulator), endpoints for a proxy or a test, and the port of its demo emulator.
import { z } from "zod";
import { providerEnv } from "@/lib/env";

export const googleEnv = z.object({
  /** A Google OAuth client (redirect URI `$APP_URL/api/oauth/google/callback`). */
  GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().trim().min(1).optional(),
  /** Endpoints: production defaults when a client id is set, else the emulator. */
  GOOGLE_AUTHORIZE_URL: z.url().optional(),
  GOOGLE_TOKEN_URL: z.url().optional(),
  GOOGLE_PEOPLE_ROOT_URL: z.url().optional(),
  /** Demo mode's emulator. */
  GOOGLE_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
});

export const googleKeys = () => providerEnv(googleEnv);
