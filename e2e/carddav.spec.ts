import { expect, test } from "@playwright/test";
import { DEMO_CARDDAV_PASSWORD } from "@/tests/kit/address-book";
import { card, chooseSettings, demoGroup, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

// Demo mode runs a real Radicale server with the account below and its "Friends" address book
// (emulators/carddav/demo-book.ts), on the port playwright.config.ts gives it.
const ACCOUNT = "sam.taylor@carddav.test";
const SERVER = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210) + 3}`;

test("CardDAV: a wrong app password is refused in words and connects nothing; the right one syncs both ways and keeps what the CRM does not map", async ({ browser }) => {
  const admin = await pageAs(browser, USERS.admin);
  await admin.goto("/settings/personal/contact-sync?add=1");
  await admin.getByLabel("E-mail address of the account").fill(ACCOUNT);
  await admin.getByRole("radio", { name: "CardDAV" }).check();
  // The demo account's server and password are filled in for it.
  await expect(admin.getByLabel("Server address")).toHaveValue(SERVER);
  await expect(admin.getByLabel("Username")).toHaveValue(ACCOUNT);
  await admin.getByLabel("App password").fill("not-the-password");
  await admin.getByRole("button", { name: "Connect" }).click();
  await expect(admin.getByText(/did not accept that username and password/)).toBeVisible();
  await expect(card(admin, ACCOUNT)).toHaveCount(0);

  await admin.getByLabel("App password").fill(DEMO_CARDDAV_PASSWORD);
  await admin.getByRole("button", { name: "Connect" }).click();
  await expect(admin.getByText("Account connected. Choose what to sync.")).toBeVisible();
  await expect(card(admin, ACCOUNT)).toContainText("CardDAV");
  await chooseSettings(admin, { group: "Friends", direction: "Two-way", visibility: "owner" });
  await waitUpToDate(admin, ACCOUNT);
  const friends = await demoGroup("carddav", ACCOUNT, "Friends");
  const remote = await friends.contacts();
  await expect(card(admin, ACCOUNT).getByTestId("in-sync")).toHaveText(String(remote.length));

  // CRM → the address book: the card changes, and the lines the CRM does not map stay.
  const ethan = remote.find((c) => c.given === "Ethan" && c.family === "Walker")!;
  const raw = async () => {
    const res = await fetch(new URL(ethan.id, SERVER), { headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${DEMO_CARDDAV_PASSWORD}`).toString("base64")}` } });
    return res.text();
  };
  const social = (await raw()).split(/\r?\n/).filter((l) => /^X-SOCIALPROFILE/i.test(l));
  expect(social.length).toBeGreaterThan(0);
  await admin.goto(`/persons?q=${encodeURIComponent("Ethan Walker")}`);
  await admin.getByRole("link", { name: "Ethan Walker" }).first().click();
  const renamed = uniqueName("Crm");
  await admin.getByLabel("Last name").fill(renamed);
  await admin.getByRole("button", { name: "Save changes" }).click();
  await expect(admin.getByText("Saved.")).toBeVisible();
  await admin.goto("/settings/personal/contact-sync");
  await card(admin, ACCOUNT).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(admin, ACCOUNT);
  await expect.poll(async () => (await friends.contacts()).find((c) => c.id === ethan.id)?.family).toBe(renamed);
  expect((await raw()).split(/\r?\n/).filter((l) => /^X-SOCIALPROFILE/i.test(l))).toEqual(social);

  // The address book → CRM.
  const fromPhone = uniqueName("Phone");
  await friends.book.update(ethan.id, { family: fromPhone });
  await card(admin, ACCOUNT).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(admin, ACCOUNT);
  await expect(card(admin, ACCOUNT).getByRole("region", { name: "Recently updated" })).toContainText(fromPhone);
  await admin.goto(`/persons?q=${fromPhone}`);
  await expect(admin.getByRole("link", { name: `Ethan ${fromPhone}` })).toBeVisible();
});
