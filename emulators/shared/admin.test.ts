import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGoogleEmulator, type GoogleEmulator } from "../google/server";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "../microsoft/server";
import { DEMO_ACCOUNTS } from "../seed/demo-accounts";
import { AdminApiError, advanceClock, createAccount, injectFault, isEmulatorRunning, listAccounts, mintToken, resetEmulator, setConfig } from "./admin-client";

let google: GoogleEmulator;
let microsoft: MicrosoftEmulator;
beforeAll(async () => {
  [google, microsoft] = await Promise.all([startGoogleEmulator({ seed: true }), startMicrosoftEmulator({ seed: true })]);
});
afterAll(async () => {
  await Promise.all([google.close(), microsoft.close()]);
});

describe("admin API (both emulators)", () => {
  it("is reachable over http and https and reports which provider it is", async () => {
    expect(await isEmulatorRunning(google.url, "google")).toBe(true);
    expect(await isEmulatorRunning(microsoft.url, "microsoft")).toBe(true);
    expect(await isEmulatorRunning(google.url, "microsoft")).toBe(false);
  });

  it("seeds the demo accounts with their address books", async () => {
    const g = await listAccounts(google.url);
    const m = await listAccounts(microsoft.url);
    for (const demo of DEMO_ACCOUNTS) {
      const found = (demo.provider === "google" ? g : m).accounts.find((a) => a.email === demo.email);
      expect(found?.contacts).toBe(demo.contacts);
    }
  });

  it("creates accounts idempotently and rejects malformed input", async () => {
    for (const url of [google.url, microsoft.url]) {
      const first = await createAccount(url, "New.Person@Example.com", "New Person");
      expect(first.email).toBe("new.person@example.com");
      const again = await createAccount(url, "new.person@example.com");
      expect(again.id).toBe(first.id);
      await expect(createAccount(url, "not-an-email")).rejects.toBeInstanceOf(AdminApiError);
      await expect(mintToken(url, "nobody@example.com")).rejects.toMatchObject({ status: 404 });
      await expect(injectFault(url, { kind: "meteor" as never })).rejects.toMatchObject({ status: 400 });
      await expect(setConfig(url, { nope: 1, accessTokenLifetimeSec: -5 })).rejects.toMatchObject({ status: 400 });
    }
  });

  it("moves the clock forward only", async () => {
    const before = await advanceClock(google.url, 0);
    const after = await advanceClock(google.url, 60_000);
    expect(after.offsetMs - before.offsetMs).toBe(60_000);
  });

  it("forgets everything on reset, and can reseed", async () => {
    const emu = await startGoogleEmulator({ seed: true });
    try {
      await resetEmulator(emu.url);
      expect((await listAccounts(emu.url)).accounts).toEqual([]);
      await resetEmulator(emu.url, { seed: true });
      expect((await listAccounts(emu.url)).accounts.length).toBe(DEMO_ACCOUNTS.filter((a) => a.provider === "google").length);
    } finally {
      await emu.close();
    }
  });
});
