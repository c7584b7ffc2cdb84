import { expect, test } from "@playwright/test";
import { createPerson, openEdit, pageAs, uniqueName, USERS } from "./helpers";

test("a person visible to its owner only is hidden from another rep, even through a crafted edit, and shown to the admin", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const east = await pageAs(browser, USERS.east);
  const last = uniqueName("Private");
  const path = await createPerson(east, { firstName: "Olga", lastName: last, email: "olga@example.com", visibility: "owner" });

  const west = await pageAs(browser, USERS.west);
  await west.goto(`/persons?q=${last}`);
  await expect(west.getByText("No persons match your search.")).toBeVisible();

  const direct = await west.goto(path);
  expect(direct?.status()).toBe(404);
  await expect(west.getByRole("heading", { name: "Not found" })).toBeVisible();

  const picture = await west.request.get(`/api/persons${path.slice("/persons".length)}/picture`);
  expect(picture.status()).toBe(404);

  // Crafted request: West opens a person West may edit, then points the form's hidden id at
  // East's private person before saving. The server must refuse and change nothing.
  const ownPath = await createPerson(west, { firstName: "Wendy", lastName: uniqueName("Own") });
  await west.goto(ownPath);
  const targetId = path.split("/").pop()!;
  await openEdit(west);
  await west.locator('form:has(input[name="version"]) input[name="id"]').evaluate((el, id) => {
    (el as HTMLInputElement).value = id;
  }, targetId);
  await west.getByLabel("Last name").fill("Hijacked");
  await west.getByRole("button", { name: "Save changes" }).click();
  await expect(west.getByText("This person was not found, or you do not have access to it.")).toBeVisible();

  await east.goto(path);
  await openEdit(east);
  await expect(east.getByLabel("Last name")).toHaveValue(last);

  const admin = await pageAs(browser, USERS.admin);
  await admin.goto(`/persons?q=${last}`);
  await expect(admin.getByRole("link", { name: `Olga ${last}` })).toBeVisible();
  await admin.goto(path);
  await expect(admin.getByRole("heading", { name: new RegExp(`Olga ${last}`) })).toBeVisible();
});

test("the manager sees a sub-group rep's person shared with the group and sub-groups, the other rep does not", async ({ browser }) => {
  // A long flow (sign-ins, a provider's consent, syncs): three times the default budget.
  test.slow();
  const east = await pageAs(browser, USERS.east);
  const last = uniqueName("Shared");
  await createPerson(east, { firstName: "Greta", lastName: last, visibility: "group_subgroups" });

  const manager = await pageAs(browser, USERS.manager);
  await manager.goto(`/persons?q=${last}`);
  // "Group and sub-groups" opens a person to the owner's role and the roles below it, not above.
  await expect(manager.getByText("No persons match your search.")).toBeVisible();

  const west = await pageAs(browser, USERS.west);
  await west.goto(`/persons?q=${last}`);
  await expect(west.getByText("No persons match your search.")).toBeVisible();

  const managerOwned = uniqueName("Team");
  await createPerson(manager, { firstName: "Mira", lastName: managerOwned, visibility: "group_subgroups" });
  await west.goto(`/persons?q=${managerOwned}`);
  await expect(west.getByRole("link", { name: `Mira ${managerOwned}` })).toBeVisible();
  await east.goto(`/persons?q=${managerOwned}`);
  await expect(east.getByRole("link", { name: `Mira ${managerOwned}` })).toBeVisible();
});
