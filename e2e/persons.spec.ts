import { expect, test } from "@playwright/test";
import { createPerson, openEdit, pageAs, uniqueName, USERS } from "./helpers";

test("create, edit, follow, find, and delete a person", async ({ browser }) => {
  const page = await pageAs(browser, USERS.east);
  const last = uniqueName("Life");
  const path = await createPerson(page, { firstName: "Lena", lastName: last, email: "Lena.Life@Example.com" });
  // The page reads first: the address as stored, as a mailto: link.
  await expect(page.getByRole("link", { name: "lena.life@example.com" })).toHaveAttribute("href", "mailto:lena.life@example.com");

  await openEdit(page);
  await page.getByRole("button", { name: "Add phone" }).click();
  await page.getByLabel("Phone 1", { exact: true }).fill("(415) 555-0132");
  await page.getByLabel("Organization").selectOption({ label: "Initech" });
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  // Stored in E.164, shown as people write it in the company's country, as a tel: link.
  await expect(page.getByRole("link", { name: "(415) 555-0132" })).toHaveAttribute("href", "tel:+14155550132");
  await openEdit(page);
  await expect(page.getByLabel("Phone 1", { exact: true })).toHaveValue("+14155550132");

  await page.getByRole("button", { name: "Follow" }).click();
  await expect(page.getByRole("button", { name: "Unfollow" })).toBeVisible();

  await page.goto("/persons?q=4155550132");
  await expect(page.getByRole("link", { name: `Lena ${last}` })).toBeVisible();
  await page.goto(`/persons?q=${last.toLowerCase()}&sort=updated&dir=desc`);
  await expect(page.getByRole("link", { name: `Lena ${last}` })).toBeVisible();

  await page.goto(path);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/persons\?deleted=1$/);
  const gone = await page.goto(path);
  expect(gone?.status()).toBe(404);
});

test("a picture can be uploaded and a non-image is refused", async ({ browser }) => {
  const page = await pageAs(browser, USERS.west);
  const path = await createPerson(page, { firstName: "Pia", lastName: uniqueName("Pic") });
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  );
  await page.getByLabel("Add a picture").setInputFiles({ name: "text.png", mimeType: "image/png", buffer: Buffer.from("hello") });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByText("The picture must be a PNG, JPEG, GIF or WebP image.")).toBeVisible();

  await page.getByLabel("Add a picture").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: png });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByText("Picture saved.")).toBeVisible();
  const picture = await page.request.get(`/api/persons/${path.split("/").pop()}/picture`);
  expect(picture.status()).toBe(200);
  expect(picture.headers()["content-type"]).toBe("image/png");
});

test("the persons list pages and sorts", async ({ browser }) => {
  const page = await pageAs(browser, USERS.admin);
  await page.goto("/persons");
  await expect(page.getByText(/^1–25 of \d+$/)).toBeVisible();
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/^26–/)).toBeVisible();
  await page.goto("/persons?sort=name&dir=desc");
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");
});

test("a global admin changes the plan, and the visibility choices follow it", async ({ browser }) => {
  const admin = await pageAs(browser, USERS.admin);
  await admin.goto("/settings/company");
  await admin.getByRole("combobox", { name: "Plan" }).selectOption("essential");
  await admin.getByRole("button", { name: "Save plan" }).click();
  await expect(admin.getByText("Plan saved.")).toBeVisible();
  await admin.goto("/persons/new");
  const options = await admin.getByLabel("Visible to").locator("option").allTextContents();
  expect(options.map((o) => o.split(" —")[0])).toEqual(["Owner & followers", "Entire company"]);

  await admin.goto("/settings/company");
  await admin.getByRole("combobox", { name: "Plan" }).selectOption("professional");
  await admin.getByRole("button", { name: "Save plan" }).click();
  await expect(admin.getByText("Plan saved.")).toBeVisible();

  const rep = await pageAs(browser, USERS.east);
  const response = await rep.goto("/settings/company");
  expect(response?.status()).toBe(404);
});
