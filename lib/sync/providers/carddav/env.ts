// CardDAV's environment variables: demo mode's server (Radicale, when installed) and where its
// binary is, and whether users may give a server over plain http. CardDAV needs no client of
// its own: it is always offered.
import { z } from "zod";
import { providerEnv } from "@/lib/env";

export const carddavEnv = z.object({
  CARDDAV_DEMO_PORT: z.coerce.number().int().min(1).max(65535).default(4030),
  RADICALE_BIN: z.string().trim().min(1).default("/usr/bin/radicale"),
  /** "1" lets users give a CardDAV server over plain http (a server on the same private
   * network); otherwise only https is accepted, but for a server on this machine. */
  CARDDAV_ALLOW_HTTP: z
    .enum(["0", "1"])
    .optional()
    .transform((v) => v === "1"),
});

export const carddavKeys = () => providerEnv(carddavEnv);
