import { describe, expect, it } from "vitest";
import { api, screenshot, useBrowser } from "./browser";

describe("status page, API explorer and pub/sub inspector in the browser", () => {
  const browser = useBrowser();

  it("shows every status check green", async () => {
    const page = await browser().context.newPage();
    await page.goto("/status");
    const summary = page.getByTestId("status-summary");
    await summary.waitFor({ timeout: 30_000 });
    const text = await summary.textContent();
    await screenshot(page, "status-page");
    expect(text).toBe("All 9 checks passed");
    await page.close();
  });

  it("reaches the API explorer from the System menu and lists every service with a live document", async () => {
    const catalog = await api<{ services: { id: string }[] }>("/api/docs/catalog.json");
    const page = await browser().context.newPage();
    await page.goto("/trade");
    await page.getByRole("button", { name: /System/ }).click();
    await page.getByRole("menuitem", { name: "API Explorer" }).click();
    await page.waitForURL(/\/api\/docs\/$/);
    const rows = page.locator("tr[data-service]");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-service")))).toEqual(
      catalog.services.map((service) => service.id),
    );
    await expect
      .poll(
        () =>
          page
            .locator(".spec-status")
            .evaluateAll((cells) => cells.filter((c) => c.textContent === "checking…").length),
        {
          timeout: 20_000,
        },
      )
      .toBe(0);
    const statuses = await page.locator(".spec-status").allTextContents();
    await screenshot(page, "api-explorer-index");
    expect(
      statuses.filter((status) => !status.startsWith("OpenAPI")),
      statuses.join(" | "),
    ).toEqual([]);

    await page.locator('tr[data-service="account-service"]').getByRole("link", { name: "Explore" }).click();
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 20_000 });
    // "Try it out" on the first GET must reach the service through its edge prefix.
    const operation = page.locator(".swagger-ui .opblock.opblock-get").first();
    await operation.locator(".opblock-summary").click();
    await operation.getByRole("button", { name: "Try it out" }).click();
    await operation.getByRole("button", { name: "Execute" }).click();
    const status = operation.locator(".live-responses-table tr.response .response-col_status").first();
    await status.waitFor({ timeout: 15_000 });
    await screenshot(page, "api-explorer-viewer");
    expect((await status.textContent())?.trim()).toBe("200");
    expect(await operation.locator(".request-url").textContent()).toContain("/account-service/");
    await page.close();
  });

  it("shows pricing.* messages in the inspector", async () => {
    const page = await browser().context.newPage();
    await page.goto("/api/docs/");
    const inspectorLink = page.locator("#inspector-link");
    expect(await inspectorLink.getAttribute("href")).toMatch(/\/api\/docs\/pubsub-inspector\.html$/);
    await inspectorLink.click();
    // Exact: a substring match would take "disconnected" for "connected".
    await page
      .locator("#connection-state")
      .getByText("connected", { exact: true })
      .waitFor({ timeout: 15_000 });
    await page.locator("#filter-input").fill("pricing.*");
    const subjects = () => page.locator("#messages td.subject").allTextContents();
    await expect.poll(async () => (await subjects()).length, { timeout: 20_000 }).toBeGreaterThan(3);
    // Any ticker: price-publisher also publishes the ones clients asked it for (contract 1.8), and the
    // smoke and fault tests before this one ask for odd ones such as NO_SUCH_TICKER_123.
    expect((await subjects()).filter((subject) => !/^pricing\.[^.]+$/.test(subject))).toEqual([]);
    await screenshot(page, "pubsub-inspector-pricing");
    await page.close();
  });
});
