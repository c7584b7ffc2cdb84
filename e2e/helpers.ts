import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";
import type { ProviderId } from "@/db/vocabulary";
import { providerDefinition } from "@/lib/sync/providers/registry";
import { openAddressBook } from "@/tests/kit/address-book";

export const PASSWORD = "tandem-demo";
export const USERS = {
  admin: "admin@acme.test",
  manager: "manager@acme.test",
  east: "east@acme.test",
  west: "west@acme.test",
  support: "support@acme.test",
} as const;

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/persons$/);
}

/** A page in its own browser context, signed in as `email`. */
export async function pageAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** Creates a person through the form and returns its URL path. */
export async function createPerson(
  page: Page,
  p: { firstName: string; lastName: string; email?: string; /** a visibility value, e.g. "owner" */ visibility?: string },
): Promise<string> {
  await page.goto("/persons/new");
  await page.getByLabel("First name").fill(p.firstName);
  await page.getByLabel("Last name").fill(p.lastName);
  if (p.email) await page.getByLabel("E-mail 1", { exact: true }).fill(p.email);
  if (p.visibility) await page.getByLabel("Visible to").selectOption(p.visibility);
  await page.getByRole("button", { name: "Create person" }).click();
  await expect(page.getByText("Person created.")).toBeVisible();
  return new URL(page.url()).pathname;
}

/** Opens a person page's edit form (the page reads first). */
export async function openEdit(page: Page): Promise<void> {
  const details = page.locator("details:has(> summary:text-is('Edit'))");
  if (!(await details.evaluate((el) => (el as HTMLDetailsElement).open))) await details.locator("> summary").click();
}

/** The outcome message of the form on the page (Next's route announcer is also an alert). */
export function formAlert(page: Page) {
  return page.locator("main [role=alert]").first();
}

/** A demo account's group at its provider's demo server, read and edited as its owner would in
 * Google Contacts or Outlook (the test kit's address book). The server is the one the app under
 * test started: its definition says where, from the ports playwright.config.ts gives both. */
export async function demoGroup(provider: ProviderId, email: string, group: string, opts: { create?: boolean } = {}) {
  const book = await openAddressBook({ provider, url: providerDefinition(provider).demo.emulatorUrl(), email, group, create: opts.create });
  return { book, contacts: async () => [...(await book.list())].map(([id, c]) => ({ id, ...c })) };
}

/** The demo CardDAV account (served by Radicale; its server and password are prefilled). */
export const CARDDAV_ACCOUNT = "sam.taylor@carddav.test";

/** Types the account, goes through the emulator's consent page and comes back to the wizard
 * (CardDAV: the demo server and password the form fills in). */
export async function connect(page: Page, email: string) {
  await page.goto("/settings/personal/contact-sync?add=1");
  await page.getByLabel("E-mail address of the account").fill(email);
  if (email === CARDDAV_ACCOUNT) {
    await page.getByRole("radio", { name: "CardDAV" }).check();
    await page.getByRole("button", { name: "Connect" }).click();
    await expect(page.getByText("Account connected. Choose what to sync.")).toBeVisible();
    return;
  }
  await page.getByRole("button", { name: "Add new account" }).click();
  await expect(page.getByRole("heading", { name: /Sign in with/ })).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByText("Account connected. Choose what to sync.")).toBeVisible();
}

/** The card of one account on the Contact Sync page. */
export const card = (page: Page, email: string) => page.getByTestId(`connection-${email}`);

/** Fills the settings of a new connection and saves them ("Start syncing"). */
export async function chooseSettings(page: Page, opts: { group: string; direction: "One-way" | "Two-way"; visibility: string; interval?: string }) {
  const group = page.getByLabel("Sync group").last();
  const value = await group.locator("option", { hasText: opts.group }).first().getAttribute("value");
  await group.selectOption(value!);
  await page.getByRole("radio", { name: new RegExp(`^${opts.direction}`) }).last().check();
  await page.getByLabel("Visibility of synced persons").last().selectOption(opts.visibility);
  if (opts.interval) await page.getByLabel("How often to sync").last().selectOption({ label: opts.interval });
  await page.getByRole("button", { name: "Start syncing" }).last().click();
}

/** Waits until the connection is up to date. A first sync that pairs contacts with persons the
 * user already has shows its preview first: it is accepted as proposed (ties become new persons). */
export async function waitUpToDate(page: Page, email: string) {
  const c = card(page, email);
  const preview = c.getByTestId("first-sync-preview");
  await expect(c.getByTestId("sync-status").or(preview)).toBeVisible({ timeout: 30_000 });
  if (await preview.isVisible()) {
    const create = preview.getByRole("button", { name: "Create a new person" });
    const summary = preview.getByTestId("preview-summary");
    while ((await create.count()) > 0) {
      const before = await summary.textContent();
      await create.first().click();
      await expect(summary).not.toHaveText(before!);
    }
    await preview.getByRole("button", { name: "Start syncing" }).click();
  }
  await expect(c.getByTestId("sync-status")).toHaveText("Up to date", { timeout: 30_000 });
}

/** The page through axe-core (WCAG 2.1 A and AA rules): fails on any serious or critical
 * violation, and prints the page's counts for the record (the minor and moderate ones too). */
export async function audit(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  console.log(
    `axe ${name}: ${violations.length} violation(s), ${blocking.length} serious or critical` +
      (violations.length ? ` (${violations.map((v) => `${v.id} [${v.impact}] ×${v.nodes.length}`).join(", ")})` : ""),
  );
  expect(blocking.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`)).toEqual([]);
}
