import { expect, test } from "@playwright/test";
import { audit, card, chooseSettings, connect, createPerson, demoGroup, openEdit, pageAs, uniqueName, USERS, waitUpToDate } from "./helpers";

test("a contact Google refuses on push waits under Needs attention with its reason, and Retry after fixing it clears it", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  // A user with no other two-way connection: a new person goes to one of them (live sync asks
  // them all), and it must be this one.
  const page = await pageAs(browser, USERS.manager);
  // An account of its own at the demo Google emulator, which refuses any contact at blocked.example.
  const email = `${uniqueName("refusing.")}@gmail.com`;
  const { book } = await demoGroup("google", email, "Partners", { create: true });
  await book.refuse("blocked.example", "Request contains an invalid argument.");
  await connect(page, email);
  await chooseSettings(page, { group: "Partners", direction: "Two-way", visibility: "owner" });
  await expect(page.getByRole("heading", { name: /Sign in with/ })).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByText("Account reconnected.")).toBeVisible();
  await waitUpToDate(page, email);
  await expect(card(page, email).getByTestId("needs-attention")).toHaveCount(0);

  // A new person the address book refuses.
  const last = uniqueName("Refused");
  await createPerson(page, { firstName: "Rita", lastName: last, email: `rita.${last.toLowerCase()}@blocked.example`, visibility: "owner" });
  await page.goto("/settings/personal/contact-sync");
  await card(page, email).getByRole("button", { name: "Refresh" }).click();
  await waitUpToDate(page, email);
  const attention = card(page, email).getByTestId("needs-attention");
  const failed = attention.getByTestId("failed-contact");
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText(`Rita ${last} — could not be added to Google Contacts`);
  await expect(failed).toContainText("Google Contacts does not accept one of this person's values. Google Contacts said: Request contains an invalid argument.");
  await expect(failed).toContainText("Tried once; next try in 15 minutes");
  expect((await book.list()).size).toBe(0);
  await audit(page, "Contact Sync dashboard, Needs attention");
  // The same, in Swedish (the browser's language: this user has not chosen one).
  const sv = await (await browser.newContext({ storageState: await page.context().storageState(), locale: "sv-SE" })).newPage();
  await sv.goto("/settings/personal/contact-sync");
  await expect(card(sv, email).getByRole("heading", { name: "Behöver åtgärdas" })).toBeVisible();
  const svFailed = card(sv, email).getByTestId("failed-contact");
  await expect(svFailed).toContainText(`Rita ${last} — kunde inte läggas till i Google Contacts`);
  await expect(svFailed).toContainText("Google Contacts godtar inte ett av personens värden. Google Contacts svarade: Request contains an invalid argument.");
  await expect(svFailed).toContainText("Försökt en gång; nytt försök om 15 minuter");
  await expect(svFailed.getByRole("button", { name: "Försök igen" })).toBeVisible();
  // E2E_SCREENSHOTS=1: the README's picture of Needs attention.
  if (process.env.E2E_SCREENSHOTS) await attention.screenshot({ path: "public/needs-attention.png" });

  // The user fixes the person's address…
  await failed.getByRole("link", { name: "Edit the person" }).click();
  await openEdit(page);
  await page.getByLabel("E-mail 1", { exact: true }).fill(`rita.${last.toLowerCase()}@example.com`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  // …and presses Retry: it is sent at once, and Needs attention is empty.
  await page.goto("/settings/personal/contact-sync");
  await card(page, email).getByTestId("failed-contact").getByRole("button", { name: "Retry" }).click();
  await expect(card(page, email).getByTestId("needs-attention")).toHaveCount(0, { timeout: 30_000 });
  await waitUpToDate(page, email);
  await expect.poll(async () => [...(await book.list()).values()].map((c) => c.email)).toEqual([`rita.${last.toLowerCase()}@example.com`]);
  await expect(card(page, email).getByRole("region", { name: "Recently added" })).toContainText(`Rita ${last}`);
});
