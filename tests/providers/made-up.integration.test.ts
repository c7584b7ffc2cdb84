// A provider is one folder: a made-up one (tests/providers/made-up/: its definition, environment,
// in-process server, adapter and test-kit book), registered at run time, is listed by the
// registry, has its keys validated, is offered and connected by the wizard's server side, is
// served by the test kit and by demo mode, and syncs — and no other file knows it.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "@/db/client";
import { createPerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import { persons } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { startDemoEmulators } from "@/emulators/demo";
import { demoMode, readEnv } from "@/lib/env";
import { adapterForConnection } from "@/lib/sync/accounts/connections";
import { configureConnection, listProviderGroups } from "@/lib/sync/accounts/manage";
import { connectWithPassword } from "@/lib/sync/accounts/password-flow";
import { runSync } from "@/lib/sync/engine/run";
import { providerForEmail, serviceForEmail } from "@/lib/sync/providers/detect";
import { demoProviders, isProviderId, listProviders, passwordAuthOf, providerDefinition, providerDefinitions, registerProvider } from "@/lib/sync/providers/registry";
import { openAddressBook } from "@/tests/kit/address-book";
import { getConnection, openSeeded } from "@/tests/kit/connect";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";
import { personInput } from "@/tests/kit/persons";
import { registerTestProvider } from "@/tests/kit/provider-kits";
import { madeUp } from "./made-up/definition";
import { madeUpKeys } from "./made-up/env";
import { madeUpKit } from "./made-up/test-kit";

// Its own key, read by its own schema: a listing of two contacts a page.
process.env.MADE_UP_PAGE_SIZE = "2";
registerTestProvider(madeUp, madeUpKit);

describe("a made-up provider registered at run time", () => {
  let handle: DbHandle;
  let demo: SeededDemo;
  let emu: TestEmulator;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("made-up"), openSeeded(() => createDb({}))]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  const east = async () => (await getViewer(handle.db, demo.users.east))!;

  it("is listed by the registry, and offered here", () => {
    expect(isProviderId("made-up")).toBe(true);
    expect(providerDefinitions().map((d) => d.id)).toEqual(["google", "microsoft", "carddav", "made-up"]);
    expect(providerDefinition("made-up")).toBe(madeUp);
    expect(listProviders()).toContain(madeUp);
    expect(() => registerProvider(madeUp)).toThrow(/registered already/);
  });

  it("has its keys validated by its own schema, with the app's", () => {
    expect(madeUpKeys()).toEqual({ MADE_UP_PAGE_SIZE: 2, MADE_UP_DEMO_URL: "made-up://demo" });
    expect(readEnv({ ...process.env, MADE_UP_PAGE_SIZE: "25" }).APP_URL).toBe("http://localhost:3000");
    expect(() => readEnv({ ...process.env, MADE_UP_PAGE_SIZE: "0" })).toThrow(/^Invalid configuration: MADE_UP_PAGE_SIZE: /);
    // One error names every problem, the app's and the providers'.
    expect(() => readEnv({ ...process.env, MADE_UP_DEMO_URL: "https://demo.example", GOOGLE_TOKEN_URL: "nope", SYNC_WORKER: "maybe" })).toThrow(
      /SYNC_WORKER: .*GOOGLE_TOKEN_URL: .*MADE_UP_DEMO_URL must be made-up:\/\/<name>/,
    );
  });

  it("is found by the wizard: its addresses, its server, its password sign-in, its group hint", () => {
    const profiles = listProviders().map((p) => p.profile);
    expect(providerForEmail("kim@made-up.test", profiles)?.id).toBe("made-up");
    expect(serviceForEmail("kim@made-up.test", madeUp.profile)?.serverUrl).toBe("made-up://demo");
    expect(passwordAuthOf("made-up")).toBe(madeUp.auth);
    expect(providerDefinition("made-up").groupHint).toEqual({ en: "The account's made-up address books.", sv: "Kontots påhittade adressböcker." });
  });

  it("the test kit starts its server and opens address books there", async () => {
    const book = await emu.addressBook("kit@made-up.test", "Clients");
    await book.addMany([{ given: "Ada", family: "Kit" }, { given: "Alan", family: "Kit", email: "alan@kit.example" }]);
    const again = await openAddressBook({ provider: "made-up", url: emu.url, email: book.email, group: "Clients" });
    expect([...(await again.list()).values()].map((c) => c.given).sort()).toEqual(["Ada", "Alan"]);
    expect(await book.writeCalls()).toBe(2);
  });

  it("demo mode starts its demo server, with the demo account's book", async () => {
    expect(demoProviders().includes(madeUp)).toBe(demoMode());
    await startDemoEmulators([madeUp]);
    const friends = await openAddressBook({ provider: "made-up", url: madeUp.demo.emulatorUrl(), email: madeUp.demo.exampleAccount, group: "Friends" });
    expect([...(await friends.list()).values()]).toEqual([expect.objectContaining({ given: "Dana", family: "Demo", email: "dana.demo@made-up.test" })]);
  });

  it("is connected through the wizard's server side, and syncs both ways", async () => {
    const book = await emu.addressBook("sync@made-up.test", "Friends");
    await book.addMany([1, 2, 3].map((i) => ({ given: `Friend${i}`, family: "Madeup", email: `friend${i}@madeup.example` })));
    const viewer = await east();
    const { connectionId } = await connectWithPassword(handle.db, viewer, { provider: "made-up", email: book.email, serverUrl: emu.url, username: book.email, password: book.accessToken });
    expect(await listProviderGroups(handle.db, viewer, connectionId)).toEqual([{ id: book.groupId, name: "Friends", memberCount: 3 }]);
    expect(await configureConnection(handle.db, viewer, connectionId, { groupId: book.groupId, direction: "two_way", visibility: "owner" })).toMatchObject({ saved: true, preview: null });

    const sync = async () => runSync({ db: handle.db, connectionId, trigger: "manual", adapter: await adapterForConnection(handle.db, await getConnection(handle.db, connectionId)) });
    // Three contacts, in pages of two.
    expect(await sync()).toMatchObject({ status: "done", outcome: "succeeded", full: true, counts: { crmAdded: 3 } });
    const synced = await handle.db.select({ firstName: persons.firstName }).from(persons).where(eq(persons.lastName, "Madeup"));
    expect(synced.map((p) => p.firstName).sort()).toEqual(["Friend1", "Friend2", "Friend3"]);

    // A person made in Tandem goes to the book.
    await createPerson(handle.db, viewer, personInput({ firstName: "Tandem", lastName: "Madeup", visibility: "owner" }));
    expect(await sync()).toMatchObject({ status: "done", counts: { providerAdded: 1 } });
    expect([...(await book.list()).values()].map((c) => c.given).sort()).toEqual(["Friend1", "Friend2", "Friend3", "Tandem"]);
  });

  // Last: the provider it registers stays registered.
  it.skipIf(process.env.DEMO_MODE !== undefined)("demo mode, unset, asks the providers whether any is configured", () => {
    expect(demoMode()).toBe(true);
    registerProvider({ ...madeUp, id: "made-up-configured", configured: () => true });
    expect(demoMode()).toBe(false);
  });
});
