// Microsoft's environment variables: its Entra ID app (without one it is offered only in demo
// mode, against its emulator) and tenant, endpoints for a proxy or a test, and the port of its
// demo emulator.
import { z } from "zod";
import { providerEnv } from "@/lib/env";

export const microsoftEnv = z.object({
  /** An Entra ID app (redirect URI `$APP_URL/api/oauth/microsoft/callback`). */
  MICROSOFT_CLIENT_ID: z.string().trim().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().trim().min(1).optional(),
  MICROSOFT_TENANT: z.string().trim().min(1).default("common"),
  /** Endpoints: production defaults when a client id is set, else the emulator. */
  MICROSOFT_LOGIN_URL: z.url().optional(),
  GRAPH_BASE_URL: z.url().optional(),
  /** Demo mode's emulator. */
  MICROSOFT_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4020),
});

export const microsoftKeys = () => providerEnv(microsoftEnv);
