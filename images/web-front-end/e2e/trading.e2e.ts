import type { Page, WebSocketRoute } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  api,
  openBrowser,
  parseQuantity,
  screenshot,
  tableRows,
  uniqueQuantity,
  useBrowser,
} from "./browser";

/** An account no seed data or smoke test trades in, so its blotters change only through these tests. */
const QUIET_ACCOUNT = "42422";

const poll = { timeout: 45_000, interval: 500 };

/** Waits for the exact header text: a substring match for "Connected" would also accept "Disconnected". */
async function waitForBusConnected(page: Page, timeout: number) {
  await expect
    .poll(async () => (await page.getByTestId("bus-state").textContent())?.trim(), { ...poll, timeout })
    .toBe("Bus: Connected");
}

async function openTradePage(page: Page, accountId?: string) {
  await page.goto("/trade");
  await page.getByTestId("account-select").waitFor();
  if (accountId) await page.getByTestId("account-select").selectOption(accountId);
  await waitForBusConnected(page, 15_000);
}

const marketPrices = async (page: Page) =>
  (await tableRows(page, "position-blotter")).map((row) => `${row.SECURITY}:${row["MKT PRICE"]}`).join(" ");

describe("trading in the browser", () => {
  const browser = useBrowser();

  it("F1/F2: All Accounts on top, the 6th account preselected, its blotters loaded; All Accounts mode aggregates", async () => {
    // 52355 on the seed data; other tests may have added accounts, so the rule is checked, not the id.
    const ids = (await api<{ id: number }[]>("/account-service/account/"))
      .map((a) => a.id)
      .sort((a, b) => a - b);
    const preselected = ids[5] ?? ids[0];
    const page = await browser().context.newPage();
    await openTradePage(page);
    const select = page.getByTestId("account-select");
    expect(await select.inputValue()).toBe(String(preselected));
    const firstOption = select.locator("option").first();
    expect([await firstOption.getAttribute("value"), await firstOption.textContent()]).toEqual([
      "0",
      "All Accounts",
    ]);
    const serverTrades = await api<{ id: string }[]>(`/position-service/trades/${preselected}`);
    await expect
      .poll(async () => (await tableRows(page, "trade-blotter")).length, poll)
      .toBeGreaterThanOrEqual(Math.max(1, serverTrades.length));
    await screenshot(page, "f1-f2-trade-page-default-account");

    await select.selectOption("0");
    expect(await page.getByRole("button", { name: "Trade Ticket" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Order Ticket" }).isDisabled()).toBe(true);
    await page.getByTestId("all-accounts-note").waitFor();
    await expect.poll(async () => (await tableRows(page, "trade-blotter")).length, poll).toBeGreaterThan(0);
    const trades = await tableRows(page, "trade-blotter");
    expect(Object.keys(trades[0])[0]).toBe("ACCOUNT");
    const securities = (await tableRows(page, "position-blotter")).map((p) => p.SECURITY);
    expect(new Set(securities).size).toBe(securities.length);
    await screenshot(page, "f2-all-accounts-mode");
    await page.close();
  });

  it("F3/F4: a market trade shows up Settled and moves the position without a reload", async () => {
    const page = await browser().context.newPage();
    await openTradePage(page, QUIET_ACCOUNT);
    await page.getByTestId("trade-blotter").waitFor();
    const ibmQuantity = async () => {
      const row = (await tableRows(page, "position-blotter")).find((p) => p.SECURITY === "IBM");
      return row ? parseQuantity(row.QUANTITY) : 0;
    };
    await page.waitForTimeout(1000); // let the REST bootstrap land
    const before = await ibmQuantity();

    await page.getByRole("button", { name: "Trade Ticket" }).click();
    const ticket = page.getByRole("form", { name: "Trade Ticket" });
    const security = ticket.getByRole("combobox");
    expect(await security.getAttribute("autocomplete")).toBe("off");
    await security.fill("IB");
    await ticket.getByRole("option", { name: "IBM - IBM" }).click();
    await ticket.getByRole("radio", { name: "Buy" }).check();
    const quantity = uniqueQuantity(1000, 9000);
    await ticket.getByLabel("Quantity").fill(String(quantity));
    await ticket.getByRole("button", { name: "Submit Trade" }).click();
    await ticket
      .getByRole("status")
      .getByText(/Trade submitted: Buy/)
      .waitFor({ timeout: 15_000 });

    const shown = quantity.toLocaleString("en-US");
    await expect
      .poll(
        async () =>
          (await tableRows(page, "trade-blotter")).some(
            (t) => t.SECURITY === "IBM" && t.QUANTITY === shown && t.STATE === "Settled" && t.SIDE === "Buy",
          ),
        poll,
      )
      .toBe(true);
    await expect.poll(ibmQuantity, poll).toBe(before + quantity);
    const server = await api<{ security: string; quantity: number }[]>(
      `/position-service/positions/${QUIET_ACCOUNT}`,
    );
    expect(server.find((p) => p.security === "IBM")?.quantity).toBe(before + quantity);
    await screenshot(page, "f3-f4-trade-settled-position-moved");
    await page.close();
  });

  it("creates a limit order with the live price pre-filled, shows it in Orders, and cancels it", async () => {
    const page = await browser().context.newPage();
    await openTradePage(page, QUIET_ACCOUNT);
    await page.getByRole("button", { name: "Order Ticket" }).click();
    const ticket = page.getByRole("form", { name: "Order Ticket" });
    await ticket.getByRole("combobox").fill("MSFT");
    await ticket.getByRole("option", { name: "MSFT - Microsoft" }).click();
    const limit = ticket.getByLabel("Limit price");
    await expect.poll(() => limit.inputValue(), poll).toMatch(/^\d+\.\d{3}$/);
    await ticket.getByRole("radio", { name: "Buy" }).check();
    await ticket.getByLabel("Quantity").fill(String(uniqueQuantity(10, 99)));
    await limit.fill("1.000"); // a Buy at 1.000 never fills
    await ticket.getByRole("button", { name: "Create Order" }).click();
    const created = await ticket
      .getByRole("status")
      .getByText(/Order ord-\S+ created/)
      .textContent({ timeout: 15_000 });
    const orderId = /Order (ord-\S+) created/.exec(created!)![1];

    expect(await page.getByRole("tab", { name: /Orders/ }).getAttribute("aria-selected")).toBe("true");
    const orderRow = page.locator(`[data-testid="order-blotter"] tr[data-row-key="${orderId}"]`);
    await orderRow.waitFor({ timeout: 15_000 });
    const shownOrder = (await tableRows(page, "order-blotter")).find((o) => o["ORDER ID"] === orderId);
    expect([shownOrder?.SECURITY, shownOrder?.SIDE, shownOrder?.STRIKE]).toEqual(["MSFT", "Buy", "1.000"]);
    await screenshot(page, "order-created-in-orders-tab");

    await orderRow.getByRole("button", { name: "Cancel" }).click();
    await page.getByText(`Order ${orderId} is CANCELED.`).waitFor({ timeout: 15_000 });
    await orderRow.waitFor({ state: "detached", timeout: 15_000 });
    await screenshot(page, "order-cancelled");
    await page.close();
  });

  it("force-fills an open order from Admin and the trade appears in the account's blotter", async () => {
    const quantity = uniqueQuantity(50, 99);
    // A Sell limit far above the market never fills by itself; only the force-fill can fill it.
    const order = await api<{ orderId: string }>("/order-matcher/orders", {
      method: "POST",
      body: JSON.stringify({
        accountId: Number(QUIET_ACCOUNT),
        security: "JPM",
        side: "Sell",
        quantity,
        limitPrice: 99999,
      }),
    });
    const page = await browser().context.newPage();
    await page.goto("/admin");
    const row = page.locator(`[data-testid="admin-orders"] tr[data-row-key="${order.orderId}"]`);
    await row.waitFor({ timeout: 15_000 });
    const openBefore = Number(await page.getByTestId("open-orders").textContent());
    expect(openBefore).toBeGreaterThan(0);
    await screenshot(page, "admin-open-orders");

    await row.getByRole("button", { name: "Force Fill" }).click();
    await page.getByText(`Force-filled ${order.orderId}: now FILLED.`).waitFor({ timeout: 20_000 });
    await row.waitFor({ state: "detached", timeout: 15_000 });
    await screenshot(page, "admin-force-filled");

    await openTradePage(page, QUIET_ACCOUNT);
    const shown = quantity.toLocaleString("en-US");
    await expect
      .poll(
        async () =>
          (await tableRows(page, "trade-blotter")).some(
            (t) => t.SECURITY === "JPM" && t.SIDE === "Sell" && t.QUANTITY === shown && t.STATE === "Settled",
          ),
        poll,
      )
      .toBe(true);
    await screenshot(page, "force-filled-trade-in-blotter");
    await page.close();
  });

  it("updates market prices live, and after a lost bus connection reconnects and re-subscribes", async () => {
    const page = await browser().context.newPage();
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/nats-ws$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    await openTradePage(page, "22214");
    await expect
      .poll(async () => (await tableRows(page, "position-blotter")).length, poll)
      .toBeGreaterThan(1);
    const first = await marketPrices(page);
    await expect.poll(() => marketPrices(page), poll).not.toBe(first);
    await screenshot(page, "live-prices");

    await sockets[0].close({ code: 1006, reason: "test: connection lost" }).catch(() => sockets[0].close());
    await expect
      .poll(async () => page.getByTestId("bus-state").textContent(), poll)
      .not.toContain("Connected");
    await screenshot(page, "bus-connection-lost");
    await waitForBusConnected(page, 30_000);
    expect(sockets.length).toBeGreaterThan(1);
    const afterReconnect = await marketPrices(page);
    await expect.poll(() => marketPrices(page), poll).not.toBe(afterReconnect);
    await screenshot(page, "bus-reconnected-prices-flowing");
    await page.close();
  });

  it("keeps the trade page usable at 700 px: tables scroll inside their panels", async () => {
    const narrow = await openBrowser({ width: 700, height: 900 });
    try {
      const page = await narrow.context.newPage();
      await openTradePage(page, "22214");
      await expect
        .poll(async () => (await tableRows(page, "position-blotter")).length, poll)
        .toBeGreaterThan(0);
      const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(pageWidth).toBeLessThanOrEqual(700);
      await screenshot(page, "trade-page-700px");
    } finally {
      await narrow.close();
    }
  });
});
