// The made-up provider's environment variables, validated by its own schema like a real
// provider's (lib/sync/providers/<id>/env.ts).
import { z } from "zod";
import { providerEnv } from "@/lib/env";

export const madeUpEnv = z.object({
  /** Contacts a listing page holds. */
  MADE_UP_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** Where demo mode serves it. */
  MADE_UP_DEMO_URL: z.string().regex(/^made-up:\/\/[\w-]+$/, "MADE_UP_DEMO_URL must be made-up://<name>").default("made-up://demo"),
});

export const madeUpKeys = () => providerEnv(madeUpEnv);
