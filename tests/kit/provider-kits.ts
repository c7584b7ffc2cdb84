// Each provider's side of the test kit: how to start a server of it for a test file, and how to
// open an address book there as its user would. A built-in provider's is the test-kit.ts of its
// folder (lib/sync/providers/<id>/test-kit.ts, exporting `testKit`), found by its id; a provider
// from elsewhere (a test's made-up one) brings its own with registerTestProvider. Nothing here
// names a provider.
import { clearFaults, createAccount, expireSyncTokens, getStats, injectFault, mintToken, revokeAccount, type AccountStats } from "@/emulators";
import type { ProviderId } from "@/db/vocabulary";
import type { ProviderDefinition } from "@/lib/sync/providers/definition";
import { isProviderId, registerProvider } from "@/lib/sync/providers/registry";
import type { AddressBook, OpenBookOptions, ProviderBook } from "./address-book";
import type { TestEmulator } from "./emulators";

export type ProviderTestKit = {
  /** A server of the provider for one test file, on a port of its own: an emulator, or a real
   * server (CardDAV) with the test proxy in front of it. */
  startServer(): Promise<TestEmulator>;
  /** A book at a server that runs already (the demo's, a benchmark's); with `create`, a new
   * account and group. */
  openBook(opts: OpenBookOptions): Promise<AddressBook>;
};

const registered = new Map<ProviderId, ProviderTestKit>();

/** A provider defined outside lib/sync/providers: its definition joins the registry, its kit
 * this one. */
export function registerTestProvider(definition: ProviderDefinition, kit: ProviderTestKit): void {
  registerProvider(definition);
  registered.set(definition.id, kit);
}

export async function testKitOf(provider: ProviderId): Promise<ProviderTestKit> {
  if (!isProviderId(provider)) throw new Error(`Unknown provider ${provider}`);
  const kit = registered.get(provider) ?? (await loadFolderKit(`../../lib/sync/providers/${provider}/test-kit`)).testKit;
  if (!kit) throw new Error(`lib/sync/providers/${provider}/test-kit.ts exports no testKit`);
  return kit;
}

/** A provider folder's test-kit.ts, as the runner loads TypeScript: Vitest through import() only,
 * Playwright's loader (and tsx's, for the benchmarks) through require(). */
async function loadFolderKit(path: string): Promise<{ testKit?: ProviderTestKit }> {
  if (process.env.VITEST) return import(/* @vite-ignore */ path);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: Playwright takes no import() of TypeScript
  return require(path);
}

/** Endpoints that change the address book (batch sub-requests are counted under their own names). */
const WRITE = /create|update|delete|modify|\.put$/i;

export function countWrites(stats: AccountStats): number {
  let n = 0;
  for (const [endpoint, count] of Object.entries(stats.byEndpoint)) if (WRITE.test(endpoint) && !/contactGroups\.create/.test(endpoint)) n += count;
  return n;
}

type OpenProviderBook = (o: { url: string; accessToken: string; group: string; create: boolean }) => Promise<ProviderBook>;

/** The kit of a provider served by one of the emulators (emulators/): accounts, tokens, counters
 * and faults through their shared admin API; the book itself through `openProviderBook`. */
export function emulatorKit(provider: ProviderId, start: () => Promise<{ url: string; close(): Promise<void> }>, openProviderBook: OpenProviderBook): ProviderTestKit {
  const kit: ProviderTestKit = {
    async startServer() {
      const emu = await start();
      return {
        provider,
        url: emu.url,
        addressBook: (email, group) => kit.openBook({ provider, url: emu.url, email, group, create: true }),
        close: () => emu.close(),
      };
    },
    async openBook(opts) {
      const { url, email } = opts;
      if (opts.create) await createAccount(url, email, email.split("@")[0]);
      const accessToken = (await mintToken(url, email)).access_token;
      const book = await openProviderBook({ url, accessToken, group: opts.group, create: opts.create ?? false });
      return {
        ...book,
        provider,
        url,
        email,
        accessToken,
        secret: { accessToken },
        stats: () => getStats(url, email),
        writeCalls: async () => countWrites(await getStats(url, email)),
        revoke: async () => void (await revokeAccount(url, email, "invalidate")),
        fault: async (kind, count, retryAfterSeconds) => void (await injectFault(url, { kind, count, email, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })),
        refuse: async (match, message) => void (await injectFault(url, { kind: "refuse_writes", email, match, ...(message ? { message } : {}) })),
        clearFaults: async () => void (await clearFaults(url)),
        expireCursor: async () => void (await expireSyncTokens(url)),
      };
    },
  };
  return kit;
}
