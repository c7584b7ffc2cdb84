import { expect, test, type Page } from "@playwright/test";
import { audit, card, chooseSettings, connect, createPerson, demoGroup, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

// Every page through axe-core (helpers.ts audit: WCAG 2.1 A and AA rules): no serious or
// critical violation. Each page's counts are printed, for the record.

test("sign-in, persons, person, new person, organizations and settings pass axe", async ({ page, browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  await page.goto("/sign-in");
  await audit(page, "sign-in");

  const admin = await pageAs(browser, USERS.admin);
  await audit(admin, "persons list");
  await admin.getByRole("link", { name: /\S/ }).and(admin.locator('a[href^="/persons/"]:not([href="/persons/new"])')).first().click();
  await expect(admin).toHaveURL(/\/persons\/[0-9a-f-]{36}$/);
  await audit(admin, "person");
  await admin.goto("/persons/new");
  await audit(admin, "new person");
  await admin.goto("/organizations");
  await audit(admin, "organizations");
  await admin.goto("/settings");
  await audit(admin, "settings");
  await admin.goto("/settings/company");
  await audit(admin, "company settings");
});

test("the Contact Sync wizard, the first-sync preview and the dashboard pass axe", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const manager = await pageAs(browser, USERS.manager);
  // An account of its own at the demo Google emulator, one contact of which the manager already has.
  const email = `${uniqueName("a11y")}@gmail.com`;
  const address = `${uniqueName("ada")}@example.com`;
  const { book } = await demoGroup("google", email, "Accessible", { create: true });
  await book.add({ given: "Ada", family: "Access", email: address });
  await createPerson(manager, { firstName: "Ada", lastName: "Access", email: address, visibility: "owner" });

  await manager.goto("/settings/personal/contact-sync?add=1");
  await audit(manager, "Contact Sync wizard");
  await connect(manager, email);
  await audit(manager, "Contact Sync wizard, settings");
  await chooseSettings(manager, { group: "Accessible", direction: "One-way", visibility: "owner" });
  await expect(card(manager, email).getByTestId("first-sync-preview")).toBeVisible();
  await audit(manager, "first-sync preview");
  await waitUpToDate(manager, email);
  await audit(manager, "Contact Sync dashboard");
});

/** Presses Tab until `target` has the focus (as a keyboard user would reach it). */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

test("the Contact Sync wizard can be completed with the keyboard alone", async ({ browser }) => {
  const manager = await pageAs(browser, USERS.manager);
  const email = `${uniqueName("keys")}@gmail.com`;
  const { book } = await demoGroup("google", email, "Keyboard", { create: true });
  await book.add({ given: "Kay", family: uniqueName("Board"), email: `${uniqueName("kay")}@example.com` });
  await manager.goto("/settings/personal/contact-sync?add=1");
  await tabTo(manager, manager.getByLabel("E-mail address of the account"));
  await manager.keyboard.type(email);
  await manager.keyboard.press("Enter");
  // The provider's consent page.
  await tabTo(manager, manager.getByRole("button", { name: "Allow" }));
  await manager.keyboard.press("Enter");
  await expect(manager.getByText("Account connected. Choose what to sync.")).toBeVisible();
  const settings = card(manager, email);
  const group = settings.getByLabel("Sync group");
  await tabTo(manager, group);
  // The select starts on "Choose a group…": arrow down until the group is chosen.
  for (let i = 0; i < 10 && !(await group.locator("option:checked").textContent())?.includes("Keyboard"); i++) await manager.keyboard.press("ArrowDown");
  await expect(group.locator("option:checked")).toContainText("Keyboard");
  await tabTo(manager, settings.getByRole("radio", { name: /^One-way/ }));
  await manager.keyboard.press("Space");
  await expect(settings.getByRole("radio", { name: /^One-way/ })).toBeChecked();
  await tabTo(manager, settings.getByRole("button", { name: "Start syncing" }));
  await manager.keyboard.press("Enter");
  await waitUpToDate(manager, email);
  await expect(settings.getByRole("region", { name: "Recently added" })).toContainText("Kay");
});
