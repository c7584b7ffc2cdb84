import { expect, test } from "@playwright/test";
import { formAlert, pageAs, uniqueName, USERS } from "./helpers";

test("the new-person form explains each bad input and saves nothing", async ({ browser }) => {
  const page = await pageAs(browser, USERS.east);
  await page.goto("/persons");
  const before = await page.getByText(/persons? you can see/).textContent();

  await page.goto("/persons/new");
  await page.getByRole("button", { name: "Create person" }).click();
  await expect(formAlert(page)).toHaveText("Enter a first or last name");

  const last = uniqueName("Bad");
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("E-mail 1", { exact: true }).fill("not-an-address");
  await page.getByRole("button", { name: "Create person" }).click();
  await expect(page.getByText("Enter a valid e-mail address, like name@example.com").first()).toBeVisible();
  // Nothing typed is lost.
  await expect(page.getByLabel("Last name")).toHaveValue(last);
  await expect(page.getByLabel("E-mail 1", { exact: true })).toHaveValue("not-an-address");

  await page.getByLabel("E-mail 1", { exact: true }).fill("ok@example.com");
  // 10,000 characters, past the input's own limit, as a crafted request would send.
  await page.getByLabel("First name").evaluate((el) => {
    const input = el as HTMLInputElement;
    input.removeAttribute("maxlength");
    input.value = "x".repeat(10_000);
  });
  await page.getByRole("button", { name: "Create person" }).click();
  await expect(page.getByText("First name is at most 120 characters").first()).toBeVisible();

  await page.getByLabel("First name").fill("");
  await page.getByLabel("Phone 1", { exact: true }).fill("ab");
  await page.getByRole("button", { name: "Create person" }).click();
  await expect(page.getByText("Enter a phone number with at least 3 digits").first()).toBeVisible();

  await page.goto("/persons");
  await expect(page.getByText(/persons? you can see/)).toHaveText(before!);
  await page.goto(`/persons?q=${last}`);
  await expect(page.getByText("No persons match your search.")).toBeVisible();
});

test("unknown and malformed ids in URLs get a 404 page", async ({ browser }) => {
  const page = await pageAs(browser, USERS.east);
  for (const path of [
    "/persons/00000000-0000-4000-8000-000000000000",
    "/persons/not-a-uuid",
    "/organizations/00000000-0000-4000-8000-000000000000",
    "/organizations/%27%3B%20drop%20table%20persons",
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
});

test("an oversized organization name is refused with a message", async ({ browser }) => {
  const page = await pageAs(browser, USERS.east);
  await page.goto("/organizations/new");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(formAlert(page)).toHaveText("Enter the organization's name");
  await page.getByLabel("Name").evaluate((el) => {
    (el as HTMLInputElement).removeAttribute("maxlength");
    (el as HTMLInputElement).value = "y".repeat(10_000);
  });
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(formAlert(page)).toHaveText("The name is at most 200 characters");
});
