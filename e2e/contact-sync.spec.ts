import { expect, test } from "@playwright/test";
import { card, chooseSettings, connect, demoGroup, openEdit, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

test("the Google wizard ends on a dashboard counting the group's contacts, owned by the user with the chosen visibility", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const email = "alex.morgan.demo@gmail.com";
  const east = await pageAs(browser, USERS.east);
  await connect(east, email);
  await chooseSettings(east, { group: "Clients", direction: "One-way", visibility: "owner" });
  await waitUpToDate(east, email);
  const remote = await (await demoGroup("google", email, "Clients")).contacts();
  await expect(card(east, email).getByTestId("in-sync")).toHaveText(String(remote.length));
  await expect(card(east, email).getByRole("region", { name: "Recently added" }).getByRole("listitem").first()).toBeVisible();
  // The settings are folded away and read the address book's groups only when opened.
  await card(east, email).getByText("Settings", { exact: true }).click();
  const group = card(east, email).getByLabel("Sync group");
  await expect(group.locator("option", { hasText: "Clients" })).toHaveCount(1);
  expect(await group.locator("option:checked").textContent()).toMatch(/^Clients/);

  const someone = remote.find((c) => c.family && /^[A-Za-z]+$/.test(c.family))!;
  await east.goto(`/persons?q=${encodeURIComponent(someone.family!)}`);
  await expect(east.getByRole("link", { name: `${someone.given} ${someone.family}` }).first()).toBeVisible();
  // Owner only: another rep does not see the synced persons.
  const west = await pageAs(browser, USERS.west);
  await west.goto(`/persons?q=${encodeURIComponent(`${someone.given} ${someone.family}`)}`);
  await expect(west.getByRole("link", { name: `${someone.given} ${someone.family}` })).toHaveCount(0);
});

test("the Microsoft wizard ends on a dashboard counting the folder's contacts", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const email = "jordan.lee.demo@outlook.com";
  const manager = await pageAs(browser, USERS.manager);
  await connect(manager, email);
  await chooseSettings(manager, { group: "Clients", direction: "One-way", visibility: "company" });
  await waitUpToDate(manager, email);
  const remote = await (await demoGroup("microsoft", email, "Clients")).contacts();
  await expect(card(manager, email).getByTestId("in-sync")).toHaveText(String(remote.length));
  const someone = remote.find((c) => c.family && /^[A-Za-z]+$/.test(c.family))!;
  // Entire company: another user sees them.
  const support = await pageAs(browser, USERS.support);
  await support.goto(`/persons?q=${encodeURIComponent(`${someone.given} ${someone.family}`)}`);
  await expect(support.getByRole("link", { name: `${someone.given} ${someone.family}` }).first()).toBeVisible();
});

test("two-way round trip: a CRM edit reaches Google, a Google edit reaches the CRM and the dashboard", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const email = "sam.rivera.demo@gmail.com";
  const west = await pageAs(browser, USERS.west);
  await connect(west, email);
  await chooseSettings(west, { group: "Family", direction: "Two-way", visibility: "company" });
  // Two-way needs write access: the provider asks again.
  await expect(west.getByRole("heading", { name: /Sign in with/ })).toBeVisible();
  await west.getByRole("button", { name: "Allow" }).click();
  await expect(west.getByText("Account reconnected.")).toBeVisible();
  await waitUpToDate(west, email);
  const family = await demoGroup("google", email, "Family");
  const [first] = await family.contacts();

  // CRM → Google.
  await west.goto(`/persons?q=${encodeURIComponent(`${first!.given} ${first!.family}`)}`);
  await west.getByRole("link", { name: `${first!.given} ${first!.family}` }).first().click();
  await openEdit(west);
  const renamed = uniqueName("Crm");
  await west.getByLabel("Last name").fill(renamed);
  await west.getByRole("button", { name: "Save changes" }).click();
  await expect(west.getByText("Saved.")).toBeVisible();
  await west.goto("/settings/personal/contact-sync");
  await card(west, email).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(west, email);
  await expect.poll(async () => (await family.contacts()).find((c) => c.id === first!.id)?.family).toBe(renamed);

  // Google → CRM.
  const fromGoogle = uniqueName("Goog");
  await family.book.update(first!.id, { family: fromGoogle });
  await card(west, email).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(west, email);
  await expect(card(west, email).getByRole("region", { name: "Recently updated" })).toContainText(fromGoogle);
  await west.goto(`/persons?q=${fromGoogle}`);
  await expect(west.getByRole("link", { name: `${first!.given} ${fromGoogle}` })).toBeVisible();
  // The person's history says it in words, field names and all.
  await west.getByRole("link", { name: `${first!.given} ${fromGoogle}` }).click();
  await expect(west.getByTestId("history-change").filter({ hasText: `Last name changed from ${renamed} to ${fromGoogle} in Google Contacts (${email}), ` })).toBeVisible();
});

test("one-way, synced only on Refresh: a person created in the CRM is not sent to the provider", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const email = "casey.kim.demo@hotmail.com";
  const admin = await pageAs(browser, USERS.admin);
  await connect(admin, email);
  await chooseSettings(admin, { group: "Clients", direction: "One-way", visibility: "company", interval: "Only when I press Refresh" });
  await waitUpToDate(admin, email);
  await expect(card(admin, email).getByTestId("next-sync")).toHaveText("When you press Refresh");
  const clients = await demoGroup("microsoft", email, "Clients");
  const before = await clients.contacts();
  const name = uniqueName("Local");
  await admin.goto("/persons/new");
  await admin.getByLabel("Last name").fill(name);
  await admin.getByRole("button", { name: "Create person" }).click();
  await expect(admin.getByText("Person created.")).toBeVisible();
  await admin.goto("/settings/personal/contact-sync");
  await card(admin, email).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(admin, email);
  const after = await clients.contacts();
  expect(after.length).toBe(before.length);
  expect(after.some((c) => c.family === name)).toBe(false);
});

test("a user without the permissions sees why and nothing to submit", async ({ browser }) => {
  const support = await pageAs(browser, USERS.support);
  await support.goto("/settings/personal/contact-sync");
  await expect(support.getByText(/needs both the .add persons. and .add organizations. permissions/)).toBeVisible();
  await expect(support.getByRole("button", { name: "Add new account" })).toHaveCount(0);
});
