import { expect, test } from "@playwright/test";
import { card, demoGroup, pageAs, PASSWORD, signIn, uniqueName, USERS } from "./helpers";

// The interface's language: the browser's until the user chooses one (Settings > Personal).

test("a browser asking for Swedish gets the sign-in page in Swedish", async ({ browser }) => {
  const context = await browser.newContext({ locale: "sv-SE" });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await expect(page.locator("html")).toHaveAttribute("lang", "sv");
  await expect(page.getByText("Logga in i ditt CRM.")).toBeVisible();
  // Errors of the sign-in action are Swedish too.
  await page.getByLabel("E-post").fill(USERS.support);
  await page.getByLabel("Lösenord").fill("not the password");
  await page.getByRole("button", { name: "Logga in" }).click();
  await expect(page.getByText("E-postadressen och lösenordet stämmer inte.")).toBeVisible();
  await page.getByLabel("Lösenord").fill(PASSWORD);
  await page.getByRole("button", { name: "Logga in" }).click();
  await expect(page).toHaveURL(/\/persons$/);
  await expect(page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Personer" })).toBeVisible();
  await context.close();
});

test("a user's own language setting wins over the browser's, and switching it switches the pages", async ({ page }) => {
  // An English browser (the default context).
  await signIn(page, USERS.support);
  await page.goto("/settings");
  try {
    await page.getByLabel("Language").selectOption("sv");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Språket har sparats.");
    await page.goto("/persons");
    await expect(page.locator("html")).toHaveAttribute("lang", "sv");
    await expect(page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Organisationer" })).toBeVisible();
    // Server actions answer in the user's language too.
    await page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Personer" }).click();
    await page.locator('a[href^="/persons/"]:not([href="/persons/new"])').first().click();
    await page.locator("summary", { hasText: "Redigera" }).click();
    await page.getByRole("button", { name: "Spara ändringarna" }).click();
    await expect(page.getByText("Sparat.")).toBeVisible();
    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "Inställningar" })).toBeVisible();
    await page.getByLabel("Språk").selectOption("en");
    await page.getByRole("button", { name: "Spara" }).click();
    await expect(page.getByRole("status")).toHaveText("Language saved.");
    await page.goto("/persons");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organizations" })).toBeVisible();
  } finally {
    // Back to the browser's language, for the other specs.
    await page.goto("/settings");
    await page.locator("#locale").selectOption("");
    await page.locator("form:has(#locale) button[type=submit]").click();
    await expect(page.getByRole("status")).toBeVisible();
  }
});

test("a user whose setting is Swedish goes through the Contact Sync wizard and sees the dashboard in Swedish, with Swedish dates", async ({ browser }) => {
  const page = await pageAs(browser, USERS.east);
  const email = `${uniqueName("anna.lind.")}@gmail.com`;
  const { book } = await demoGroup("google", email, "Kunder", { create: true });
  await book.add({ given: "Sven", family: "Svensson", email: `${uniqueName("sven")}@example.com` });
  await page.goto("/settings");
  await page.getByLabel("Language").selectOption("sv");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Språket har sparats.");
  try {
    await page.goto("/settings/personal/contact-sync?add=1");
    await expect(page.getByRole("heading", { name: "Kontaktsynk" })).toBeVisible();
    await page.getByLabel("Kontots e-postadress").fill(email);
    await page.getByRole("button", { name: "Lägg till konto" }).click();
    // The provider's consent page (the emulator's, in English like Google's would be for this browser).
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(page.getByText("Kontot är anslutet. Välj vad som ska synkas.")).toBeVisible();
    const group = page.getByLabel("Synkgrupp").last();
    await group.selectOption((await group.locator("option", { hasText: "Kunder" }).first().getAttribute("value"))!);
    await page.getByRole("radio", { name: /^Åt ett håll/ }).last().check();
    await page.getByLabel("Vem som ser synkade personer").last().selectOption("owner");
    await page.getByRole("button", { name: "Börja synka" }).last().click();
    const dashboard = card(page, email);
    await expect(dashboard.getByTestId("sync-status")).toHaveText("Synkad", { timeout: 30_000 });
    await expect(dashboard.getByRole("region", { name: "Nyligen tillagda" })).toContainText("Sven");
    // A Swedish date: "30 nov. 2026 04:40".
    const month = new Intl.DateTimeFormat("sv-SE", { month: "short" }).format(new Date());
    await expect(dashboard.getByText("Senaste synk", { exact: true }).locator("..")).toContainText(new RegExp(`\\d{1,2} ${month.replace(".", "\\.")} \\d{4} \\d\\d:\\d\\d`));
    await expect(dashboard.getByText("Kontakter i synk", { exact: true })).toBeVisible();
    // E2E_SCREENSHOTS=1: the README's picture of the Swedish dashboard.
    if (process.env.E2E_SCREENSHOTS) await dashboard.screenshot({ path: "public/contact-sync-sv.png" });
  } finally {
    await page.goto("/settings");
    await page.locator("#locale").selectOption("");
    await page.locator("form:has(#locale) button[type=submit]").click();
    await expect(page.getByRole("status")).toBeVisible();
  }
});
