import { expect, test } from "@playwright/test";
import { PASSWORD, signIn, USERS } from "./helpers";

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
