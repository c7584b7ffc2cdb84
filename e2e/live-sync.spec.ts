import { expect, test } from "@playwright/test";
import { card, chooseSettings, connect, demoGroup, openEdit, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

// Live sync (#27) through the app as it runs: the demo's Outlook emulator notifies the app at
// /api/sync/notifications (APP_URL is local, and the demo serves Outlook), and a CRM edit asks
// for a run by itself. Nobody presses Refresh.
test("with the dashboard open, an Outlook edit shows up and a CRM edit reaches Outlook, without Refresh", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const email = `${uniqueName("live").toLowerCase()}@outlook.com`;
  const folder = await demoGroup("microsoft", email, "Clients", { create: true });
  const family = uniqueName("Live");
  const contactId = await folder.book.add({ given: "Robin", family });
  const east = await pageAs(browser, USERS.east);
  await connect(east, email);
  await chooseSettings(east, { group: "Clients", direction: "Two-way", visibility: "owner" });
  // Two-way may need write access: the provider asks again.
  const consent = east.getByRole("heading", { name: /Sign in with/ });
  const c = card(east, email);
  await expect(consent.or(c.getByTestId("sync-status")).or(c.getByTestId("first-sync-preview"))).toBeVisible({ timeout: 30_000 });
  if (await consent.isVisible()) {
    await east.getByRole("button", { name: "Allow" }).click();
    await expect(east.getByText("Account reconnected.")).toBeVisible();
  }
  await waitUpToDate(east, email);
  // Subscribed after the first run: the card says so without a reload.
  await expect(c.getByTestId("live-mode")).toHaveText("Live: Outlook tells Tandem of changes as they happen.", { timeout: 30_000 });

  // Outlook → Tandem: the activity shows it, nothing pressed.
  const fromOutlook = uniqueName("Outlook");
  await folder.book.update(contactId, { given: "Robin", family: fromOutlook });
  await expect(c.getByRole("region", { name: "Recently updated" })).toContainText(fromOutlook, { timeout: 30_000 });

  // Tandem → Outlook: saved in the CRM, sent within seconds.
  await east.goto(`/persons?q=${encodeURIComponent(fromOutlook)}`);
  await east.getByRole("link", { name: `Robin ${fromOutlook}` }).first().click();
  await openEdit(east);
  const fromCrm = uniqueName("Crm");
  await east.getByLabel("Last name").fill(fromCrm);
  await east.getByRole("button", { name: "Save changes" }).click();
  await expect(east.getByText("Saved.")).toBeVisible();
  await expect.poll(async () => (await folder.contacts()).find((x) => x.id === contactId)?.family, { timeout: 30_000 }).toBe(fromCrm);
});
