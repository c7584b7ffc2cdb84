import { expect, test } from "@playwright/test";
import { DEMO_CARDDAV_PASSWORD } from "@/lib/sync/providers/carddav/test-kit";
import { CARDDAV_ACCOUNT, card, chooseSettings, demoGroup, openEdit, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

// Demo mode runs a real Radicale server with the account below and its "Friends" address book
// (emulators/carddav/demo-book.ts), on the port playwright.config.ts gives it.
const ACCOUNT = CARDDAV_ACCOUNT;
const SERVER = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210) + 3}`;

test("CardDAV: a wrong app password is refused in words and connects nothing; the right one syncs both ways and keeps what the CRM does not map", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  // The admin: first-sync.spec pairs this account's Abigail Rodriguez with East's own.
  const page = await pageAs(browser, USERS.admin);
  await page.goto("/settings/personal/contact-sync?add=1");
  await page.getByLabel("E-mail address of the account").fill(ACCOUNT);
  await page.getByRole("radio", { name: "CardDAV" }).check();
  // The demo account's server and password are filled in for it.
  await expect(page.getByLabel("Server address")).toHaveValue(SERVER);
  await expect(page.getByLabel("Username")).toHaveValue(ACCOUNT);
  await page.getByLabel("App password").fill("not-the-password");
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByText(/did not accept that username and password/)).toBeVisible();
  await expect(card(page, ACCOUNT)).toHaveCount(0);

  await page.getByLabel("App password").fill(DEMO_CARDDAV_PASSWORD);
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByText("Account connected. Choose what to sync.")).toBeVisible();
  await expect(card(page, ACCOUNT)).toContainText("CardDAV");
  await chooseSettings(page, { group: "Friends", direction: "Two-way", visibility: "owner" });
  await waitUpToDate(page, ACCOUNT);
  const friends = await demoGroup("carddav", ACCOUNT, "Friends");
  const remote = await friends.contacts();
  await expect(card(page, ACCOUNT).getByTestId("in-sync")).toHaveText(String(remote.length));

  // CRM → the address book: the card changes, and the lines the CRM does not map stay.
  const ethan = remote.find((c) => c.given === "Ethan" && c.family === "Walker")!;
  const raw = async () => {
    const res = await fetch(new URL(ethan.id, SERVER), { headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${DEMO_CARDDAV_PASSWORD}`).toString("base64")}` } });
    return res.text();
  };
  const social = (await raw()).split(/\r?\n/).filter((l) => /^X-SOCIALPROFILE/i.test(l));
  expect(social.length).toBeGreaterThan(0);
  await page.goto(`/persons?q=${encodeURIComponent("Ethan Walker")}`);
  await page.getByRole("link", { name: "Ethan Walker" }).first().click();
  await openEdit(page);
  const renamed = uniqueName("Crm");
  await page.getByLabel("Last name").fill(renamed);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.goto("/settings/personal/contact-sync");
  await card(page, ACCOUNT).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(page, ACCOUNT);
  await expect.poll(async () => (await friends.contacts()).find((c) => c.id === ethan.id)?.family).toBe(renamed);
  expect((await raw()).split(/\r?\n/).filter((l) => /^X-SOCIALPROFILE/i.test(l))).toEqual(social);

  // The address book → CRM.
  const fromPhone = uniqueName("Phone");
  await friends.book.update(ethan.id, { family: fromPhone });
  await card(page, ACCOUNT).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(page, ACCOUNT);
  await expect(card(page, ACCOUNT).getByRole("region", { name: "Recently updated" })).toContainText(fromPhone);
  await page.goto(`/persons?q=${fromPhone}`);
  await expect(page.getByRole("link", { name: `Ethan ${fromPhone}` })).toBeVisible();
});

test("CardDAV: a server address on this machine or a private network is refused in words, and nothing is connected", async ({ browser }) => {
  const page = await pageAs(browser, USERS.west);
  await page.goto("/settings/personal/contact-sync?add=1");
  const account = `${uniqueName("inside")}@example.com`;
  await page.getByLabel("E-mail address of the account").fill(account);
  await page.getByRole("radio", { name: "CardDAV" }).check();
  await page.getByLabel("Username").fill(account);
  await page.getByLabel("App password").fill("any-password");
  // Another port of this machine (the demo Google emulator's), the cloud metadata address, IPv6
  // loopback: only the demo's own CardDAV server is reachable on this machine in demo mode.
  const googleEmulator = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210) + 1}`;
  for (const [server, host] of [
    [googleEmulator, "127.0.0.1"],
    ["https://169.254.169.254/latest/meta-data/", "169.254.169.254"],
    ["http://[::1]:5432/", "::1"],
    ["http://2130706433:4010/", "127.0.0.1"],
  ]) {
    await page.getByLabel("Server address").fill(server!);
    await page.getByRole("button", { name: "Connect" }).click();
    await expect(page.getByText(`${host} is on a private network, which Tandem does not connect to`)).toBeVisible();
    await expect(card(page, account)).toHaveCount(0);
  }
});
