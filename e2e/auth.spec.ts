import { expect, test } from "@playwright/test";
import { formAlert, PASSWORD, signIn, USERS } from "./helpers";

test("signed-out visitors are sent to the sign-in page", async ({ page }) => {
  await page.goto("/persons");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("a wrong password is refused with a message that does not say which part was wrong", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(USERS.manager);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(formAlert(page)).toHaveText("That e-mail address and password do not match.");
  // What was typed stays in the form.
  await expect(page.getByLabel("E-mail")).toHaveValue(USERS.manager);
});

test("two demo users sign in and out, each seeing their own name", async ({ browser }) => {
  for (const [email, name] of [
    [USERS.east, "Erin East"],
    [USERS.support, "Sam Support"],
  ] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, email, PASSWORD);
    await expect(page.getByRole("complementary").getByText(name)).toBeVisible();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.endsWith("authjs.session-token"));
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    await page.getByRole("complementary").getByRole("button", { name: "Sign out" }).last().click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/persons");
    await expect(page).toHaveURL(/\/sign-in$/);
    await context.close();
  }
});

test("a user without the add-persons permission is told so and has no New person button", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, USERS.support);
  await expect(page.getByRole("link", { name: "New person" })).toHaveCount(0);
  await page.goto("/persons/new");
  await expect(page.getByText("You do not have the permission to add persons.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create person" })).toHaveCount(0);
});

test("a tampered session cookie reads as signed out", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, USERS.east, PASSWORD);
  const session = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"))!;
  // One character changed in the ciphertext, then in the authentication tag.
  const change = (v: string, at: number) => v.slice(0, at) + (v[at] === "A" ? "B" : "A") + v.slice(at + 1);
  const tagAt = session.value.lastIndexOf(".") + 2;
  for (const forged of [{ ...session, value: change(session.value, session.value.length - 60) }, { ...session, value: change(session.value, tagAt) }]) {
    const other = await browser.newContext();
    await other.addCookies([forged]);
    const tab = await other.newPage();
    await tab.goto("/persons");
    await expect(tab).toHaveURL(/\/sign-in$/);
    await other.close();
  }
  await context.close();
});
