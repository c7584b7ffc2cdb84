// The only place that reads process.env. Everything is validated once, with defaults for a demo
// on a laptop: the app-wide keys here, and each provider's own keys by the schema in its folder
// (lib/sync/providers/<id>/env.ts), which the registry's definitions carry. The definitions
// import this module in turn: nothing here is called while modules load.
import path from "node:path";
import { z } from "zod";
import { AllowList } from "@/lib/sync/outbound/address-rule";
import { providerDefinitions } from "@/lib/sync/providers/registry";

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgres:// URL" }).optional()),
  /** Where the embedded database lives; "memory" keeps it in memory (tests). */
  PGLITE_DATA_DIR: z.string().trim().min(1).optional(),
  /** The embedded database's shared_buffers, e.g. 64MB (db/client.ts PGLITE_SHARED_BUFFERS). */
  PGLITE_SHARED_BUFFERS: z
    .string()
    .trim()
    .regex(/^\d+(?:kB|MB|GB)$/, { error: "PGLITE_SHARED_BUFFERS must be a size such as 32MB" })
    .optional(),
  /** Folder for local state: the embedded database, generated secrets. */
  DATA_DIR: z.string().trim().min(1).default(".data"),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  /** 32 bytes, base64: seals OAuth tokens at rest. Generated under DATA_DIR when unset. */
  TOKEN_ENCRYPTION_KEY: z.string().trim().min(1).optional(),
  /** Where users reach the app; OAuth redirect URIs are built from it. */
  APP_URL: z.url().default("http://localhost:3000"),
  /** "1" (or on/true) serves providers without an OAuth client from local emulators; "0" never.
   * Unset: on only when no provider is configured at all, and never in production but under
   * `npm start` (TANDEM_DEMO_BY_DEFAULT). */
  DEMO_MODE: z
    .enum(["1", "0", "on", "off", "true", "false"], { error: "DEMO_MODE must be 1 or 0" })
    .optional()
    .transform((v) => (v === undefined ? undefined : ["1", "on", "true"].includes(v))),
  /** Set by `npm start` when DEMO_MODE is not: an unset DEMO_MODE then means what it means
   * outside production (on unless a provider is configured). Not a setting of its own. */
  TANDEM_DEMO_BY_DEFAULT: z
    .enum(["1"])
    .optional()
    .transform((v) => v === "1"),
  /** Where demo mode keeps the emulators' TLS certificate (generated per install). */
  EMULATOR_CERT_DIR: z.string().trim().min(1).optional(),
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

/** A provider's own keys: the schema in its folder (lib/sync/providers/<id>/env.ts). */
export type ProviderEnvSchema = z.ZodObject;

type Source = Record<string, string | undefined>;

function problemsOf(result: z.ZodSafeParseResult<unknown>): string[] {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

function refuse(problems: string[]): never {
  throw new Error(`Invalid configuration: ${problems.join("; ")}`);
}

/** The app-wide keys of `source`, validated with every registered provider's own keys: one error
 * names every problem. */
export function readEnv(source: Source): Env {
  const app = schema.safeParse(source);
  const problems = [app, ...providerDefinitions().map((d) => d.env.safeParse(source))].flatMap(problemsOf);
  if (!app.success || problems.length > 0) refuse(problems);
  return app.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= readEnv(process.env);
  return cached;
}

const providerKeys = new Map<ProviderEnvSchema, unknown>();

/** A provider's own keys, read by its schema: validated with the rest of the configuration (or,
 * for a provider a test registered later, here). */
export function providerEnv<S extends ProviderEnvSchema>(providerSchema: S): z.infer<S> {
  env();
  if (!providerKeys.has(providerSchema)) {
    const keys = providerSchema.safeParse(process.env);
    if (!keys.success) refuse(problemsOf(keys));
    providerKeys.set(providerSchema, keys.data);
  }
  return providerKeys.get(providerSchema) as z.infer<S>;
}

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), env().DATA_DIR);
}

/** Whether providers without an OAuth client are served by local emulators (see DEMO_MODE). Left
 * unset, it asks the providers whether any is configured. */
export function demoMode(): boolean {
  const e = env();
  if (e.DEMO_MODE !== undefined) return e.DEMO_MODE;
  if (providerDefinitions().some((d) => d.configured())) return false;
  return e.NODE_ENV !== "production" || e.TANDEM_DEMO_BY_DEFAULT;
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
