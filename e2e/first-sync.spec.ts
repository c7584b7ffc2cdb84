import { expect, test, type Page } from "@playwright/test";
import { normalizePhone } from "@/lib/normalize";
import { CARDDAV_ACCOUNT, card, chooseSettings, connect, createPerson, demoGroup, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

/** The persons a search finds, by their page's path. */
async function found(page: Page, q: string, name: string): Promise<string[]> {
  await page.goto(`/persons?q=${encodeURIComponent(q)}`);
  await expect(page.getByRole("heading", { name: "Persons" })).toBeVisible();
  const links = page.getByRole("link", { name, exact: true });
  return (await links.evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))).sort();
}

/** The preview's pair for a contact with this address, under "Linked". */
async function pairFor(page: Page, accountEmail: string, address: string) {
  const preview = card(page, accountEmail).getByTestId("first-sync-preview");
  await expect(preview.getByTestId("preview-summary")).toContainText(/will be linked to persons you already have/);
  await preview.getByRole("link", { name: /^Linked \(/ }).click();
  return preview.getByTestId("preview-row").filter({ hasText: address });
}

for (const { provider, account, group, user } of [
  { provider: "Google", account: "alex.morgan.demo@gmail.com", group: "Book Club", user: USERS.manager },
  { provider: "Microsoft", account: "jordan.lee.demo@outlook.com", group: "Friends", user: USERS.east },
  { provider: "CardDAV", account: CARDDAV_ACCOUNT, group: "Friends", user: USERS.east },
] as const) {
  test(`${provider}: a person the user already has is linked, not duplicated, and filled from the contact; another user's is not matched`, async ({ browser }) => {
    // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
    test.slow();
    // The demo Google account (its "Book Club") and the demo CardDAV account (its "Friends") hold
    // abigail52@outlook.com; the Microsoft case adds a contact of its own.
    const demoHolds = provider !== "Microsoft";
    const remote = await demoGroup(({ Google: "google", Microsoft: "microsoft", CardDAV: "carddav" } as const)[provider], account, group);
    const address = demoHolds ? "abigail52@outlook.com" : `${uniqueName("abigail")}@outlook.com`;
    const typed = demoHolds ? "Abigail52@Outlook.com" : address;
    if (!demoHolds) await remote.book.add({ given: "Abigail", family: "Rodriguez", email: address, phone: "+1 415 555 0142", title: "Engineer" });
    const contact = (await remote.contacts()).find((c) => c.email?.toLowerCase() === address);
    expect(contact, `${account} holds ${address}`).toBeTruthy();

    const page = await pageAs(browser, user);
    const mine = await createPerson(page, { firstName: "Abigail", lastName: "Rodriguez", email: typed, visibility: "owner" });
    // Another user owns a person with the same address: theirs, never paired with this user's contact.
    const west = await pageAs(browser, USERS.west);
    const theirs = await createPerson(west, { firstName: "Abigail", lastName: "Rodriguez", email: address, visibility: "owner" });

    await connect(page, account);
    await chooseSettings(page, { group, direction: "One-way", visibility: "owner" });
    const pair = await pairFor(page, account, address);
    await expect(pair).toContainText("Linked to Abigail Rodriguez");
    await expect(pair).toContainText("(same e-mail)");
    await expect(pair).toContainText(`phones (${normalizePhone(contact!.phone!, "US")}`);
    await expect(pair.getByRole("link", { name: "Abigail Rodriguez" })).toHaveAttribute("href", mine);
    await waitUpToDate(page, account);

    // One Abigail Rodriguez of this user's, linked and filled; the other user's stays theirs.
    expect((await found(page, address, "Abigail Rodriguez")).filter((p) => p !== theirs)).toEqual([mine]);
    expect(await found(west, address, "Abigail Rodriguez")).toContain(theirs);
    await page.goto(mine);
    await expect(page.getByText("Linked to its contact by the first sync")).toBeVisible();
    if (contact!.title) await expect(page.getByText(contact!.title).first()).toBeVisible();
    // The dashboard counts her as linked, not added.
    await page.goto("/settings/personal/contact-sync");
    await expect(card(page, account).getByRole("region", { name: "Linked to persons you had" })).toContainText("Abigail Rodriguez");
    await expect(card(page, account).getByRole("region", { name: "Recently added" })).not.toContainText("Abigail Rodriguez");
  });
}

test("Google: unpairing in the preview yields two persons", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  // A Google account of its own, and a user with no two-way connection: theirs would send the new
  // person to its address book within seconds (live sync), linking it before the preview.
  const account = `${uniqueName("abi").toLowerCase()}@gmail.com`;
  const address = `${uniqueName("abi")}@outlook.com`;
  const remote = await demoGroup("google", account, "Friends", { create: true });
  await remote.book.add({ given: "Abigail", family: "Rodriguez", email: address });
  const manager = await pageAs(browser, USERS.manager);
  const mine = await createPerson(manager, { firstName: "Abigail", lastName: "Rodriguez", email: address, visibility: "owner" });

  await connect(manager, account);
  await chooseSettings(manager, { group: "Friends", direction: "One-way", visibility: "owner" });
  const pair = await pairFor(manager, account, address);
  const summary = card(manager, account).getByTestId("preview-summary");
  const before = await summary.textContent();
  await pair.getByRole("button", { name: "Unpair" }).click();
  await expect(summary).not.toHaveText(before!);
  // Now among the creates, where it can be paired again.
  const preview = card(manager, account).getByTestId("first-sync-preview");
  await preview.getByRole("link", { name: /^Created \(/ }).click();
  await expect(preview.getByTestId("preview-row").filter({ hasText: address }).getByRole("button", { name: "Link to Abigail Rodriguez" })).toBeVisible();
  await waitUpToDate(manager, account);

  const persons = await found(manager, address, "Abigail Rodriguez");
  expect(persons).toHaveLength(2);
  expect(persons).toContain(mine);
});

test("Back in the preview syncs nothing and returns to the settings", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const account = "casey.kim.demo@hotmail.com";
  const address = `${uniqueName("back")}@outlook.com`;
  const remote = await demoGroup("microsoft", account, "Clients");
  await remote.book.add({ given: "Bex", family: "Back", email: address });
  const manager = await pageAs(browser, USERS.manager);
  await createPerson(manager, { firstName: "Bex", lastName: "Back", email: address, visibility: "owner" });
  await connect(manager, account);
  await chooseSettings(manager, { group: "Clients", direction: "One-way", visibility: "owner" });
  const preview = card(manager, account).getByTestId("first-sync-preview");
  await expect(preview).toBeVisible();
  await preview.getByRole("button", { name: "Back", exact: true }).click();
  await expect(card(manager, account).getByRole("heading", { name: "Choose what to sync" })).toBeVisible();
  expect(await found(manager, address, "Bex Back")).toHaveLength(1);
});
