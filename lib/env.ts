// The only place that reads process.env. Everything is validated once, with defaults for a demo on a laptop.
import path from "node:path";
import { z } from "zod";
import { AllowList } from "@/lib/sync/outbound/address-rule";

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgres:// URL" }).optional()),
  /** Where the embedded database lives; "memory" keeps it in memory (tests). */
  PGLITE_DATA_DIR: z.string().trim().min(1).optional(),
  /** Folder for local state: the embedded database, generated secrets. */
  DATA_DIR: z.string().trim().min(1).default(".data"),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  /** 32 bytes, base64: seals OAuth tokens at rest. Generated under DATA_DIR when unset. */
  TOKEN_ENCRYPTION_KEY: z.string().trim().min(1).optional(),
  /** Where users reach the app; OAuth redirect URIs are built from it. */
  APP_URL: z.url().default("http://localhost:3000"),
  /** "1" (or on/true) serves providers without an OAuth client from local emulators; "0" never.
   * Unset: on only when no provider is configured at all, and never in production
   * (`npm start` asks for it when nothing is configured). */
  DEMO_MODE: z
    .enum(["1", "0", "on", "off", "true", "false"], { error: "DEMO_MODE must be 1 or 0" })
    .optional()
    .transform((v) => (v === undefined ? undefined : ["1", "on", "true"].includes(v))),
  /** Where demo mode keeps the Microsoft emulator's TLS certificate (generated per install). */
  EMULATOR_CERT_DIR: z.string().trim().min(1).optional(),
  /** OAuth clients. A provider without a client id runs in demo mode against its emulator. */
  GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().trim().min(1).optional(),
  MICROSOFT_CLIENT_ID: z.string().trim().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().trim().min(1).optional(),
  MICROSOFT_TENANT: z.string().trim().min(1).default("common"),
  /** Provider endpoints: production defaults when a client id is set, else the emulators. */
  GOOGLE_AUTHORIZE_URL: z.url().optional(),
  GOOGLE_TOKEN_URL: z.url().optional(),
  GOOGLE_PEOPLE_ROOT_URL: z.url().optional(),
  MICROSOFT_LOGIN_URL: z.url().optional(),
  GRAPH_BASE_URL: z.url().optional(),
  /** Demo-mode emulator ports. */
  GOOGLE_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
  MICROSOFT_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4020),
  /** Demo mode's CardDAV server (Radicale, when installed) and where its binary is. */
  CARDDAV_DEMO_PORT: z.coerce.number().int().min(1).max(65535).default(4030),
  RADICALE_BIN: z.string().trim().min(1).default("/usr/bin/radicale"),
  /** "1" lets users give a CardDAV server over plain http (a server on the same private
   * network); otherwise only https is accepted, but for a server on this machine. */
  CARDDAV_ALLOW_HTTP: z
    .enum(["0", "1"])
    .optional()
    .transform((v) => v === "1"),
  /** Hosts and ranges on a private network that provider requests may reach all the same (a
   * CardDAV server on the office network): `nas.local,*.corp.example,192.168.1.10,10.0.0.0/8`.
   * Unset: only public addresses (and, in demo mode, the local servers the app runs). */
  OUTBOUND_ALLOW: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        AllowList.parse(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  /** Address-book connections one user may have. */
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
  /** "off" keeps this app process from running syncs (use `npm run worker` processes instead). */
  SYNC_WORKER: z.enum(["on", "off"]).default("on"),
  /** Minutes between background syncs of a connection. */
  SYNC_INTERVAL_MINUTES: z.coerce.number().min(0.1).max(1440).default(5),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid configuration: ${problems}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), env().DATA_DIR);
}

/** Whether providers without an OAuth client are served by local emulators (see DEMO_MODE). */
export function demoMode(): boolean {
  const e = env();
  if (e.DEMO_MODE !== undefined) return e.DEMO_MODE;
  const anyConfigured = Boolean(e.GOOGLE_CLIENT_ID || e.MICROSOFT_CLIENT_ID);
  return !anyConfigured && e.NODE_ENV !== "production";
}

/** The demo emulators' TLS certificate and key: made for this install, never committed. */
export function emulatorCertDir(): string {
  const configured = env().EMULATOR_CERT_DIR;
  return configured ? path.resolve(/*turbopackIgnore: true*/ process.cwd(), configured) : path.join(dataDir(), "emulator-tls");
}

/** undefined means in-memory. */
export function pgliteDataDir(): string | undefined {
  const configured = env().PGLITE_DATA_DIR;
  if (configured === "memory") return undefined;
  return configured ? path.resolve(/*turbopackIgnore: true*/ process.cwd(), configured) : path.join(dataDir(), "pglite");
}
