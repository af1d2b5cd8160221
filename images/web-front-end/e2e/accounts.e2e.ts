import { describe, expect, it } from "vitest";
import { api, screenshot, tableRows, useBrowser } from "./browser";

describe("accounts in the browser", () => {
  const browser = useBrowser();

  it("F5/F6: creates and renames an account, then finds a person and assigns them", async () => {
    const page = await browser().context.newPage();
    await page.goto("/account");
    const create = page.getByRole("form", { name: "Create account" });
    await create.getByRole("button", { name: "Create account" }).click();
    await create.getByText("Enter an account name.").waitFor();

    const name = `E2E Desk ${Date.now() % 1_000_000}`;
    await create.getByLabel("Account name").fill(name);
    await create.getByRole("button", { name: "Create account" }).click();
    const created = await create.getByRole("status").textContent({ timeout: 15_000 });
    const accountId = /Account (\d+) /.exec(created!)![1];
    const row = page.locator(`[data-testid="accounts"] tr[data-row-key="${accountId}"]`);
    await row.getByText(name).waitFor({ timeout: 15_000 });

    const renamed = `${name} (renamed)`;
    await row.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("form", { name: `Rename account ${accountId}` });
    await rename.getByLabel("Account name").fill(renamed);
    await rename.getByRole("button", { name: "Save name" }).click();
    await rename.getByRole("status").getByText(`Account ${accountId} renamed`).waitFor({ timeout: 15_000 });
    await row.getByText(renamed).waitFor({ timeout: 15_000 });
    expect((await api<{ displayName: string }>(`/account-service/account/${accountId}`)).displayName).toBe(
      renamed,
    );
    await screenshot(page, "f5-account-created-and-renamed");

    await row.getByRole("button", { name: "Users" }).click();
    const users = page.getByRole("region", { name: "Account users" });
    await users.getByText("No users are assigned to this account.").waitFor({ timeout: 15_000 });
    const search = users.getByLabel("Search people");
    await search.fill("Al");
    await users.getByText("Type at least 3 characters to search.").waitFor();
    await search.fill("Nobody Here");
    await users
      .locator(".field-error")
      .getByText(/HTTP 404/)
      .waitFor({ timeout: 15_000 });
    await search.fill("Alice");
    const match = users
      .getByRole("list", { name: "People found" })
      .locator("li", { hasText: "Alice Johnson (user01)" });
    await match.getByRole("button", { name: "Assign" }).click();
    await users
      .getByRole("status")
      .getByText(/Alice Johnson \(user01\) can now use account/)
      .waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => (await tableRows(page, "account-users")).map((u) => [u.USERNAME, u["FULL NAME"]]), {
        timeout: 15_000,
      })
      .toEqual([["user01", "Alice Johnson"]]);
    await screenshot(page, "f6-account-user-assigned");
    await page.close();
  });
});
