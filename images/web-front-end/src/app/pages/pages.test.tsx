import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubFetch } from "../testing/fakeFetch";
import { renderInApp, SEED_ACCOUNTS, SOME_STOCKS } from "../testing/render";
import { AccountPage } from "./AccountPage";
import { TradePage } from "./TradePage";

afterEach(() => vi.unstubAllGlobals());

const seedTrade = {
  id: "TRADE-52355-AABBCC",
  accountId: 52355,
  security: "BAC",
  side: "Sell",
  state: "Settled",
  quantity: 2400,
  price: 41.125,
  updated: "2026-07-22T16:00:00.000+00:00",
  created: "2026-07-22T16:00:00.000+00:00",
};
const seedPosition = {
  accountId: 52355,
  security: "BAC",
  quantity: -2400,
  averageCostBasis: 41.125,
  updated: "2026-07-22T16:00:00.000+00:00",
};

describe("TradePage", () => {
  it("adds All Accounts (id 0) first, preselects the 6th account and bootstraps its blotters (F1, F2)", async () => {
    const requests = stubFetch({
      "GET /account-service/account/": { body: SEED_ACCOUNTS },
      "GET /reference-data/stocks": { body: SOME_STOCKS },
      "GET /position-service/trades/52355": { body: [seedTrade] },
      "GET /position-service/positions/52355": { body: [seedPosition] },
      "GET /position-service/positions/": { body: [seedPosition] },
      "GET /position-service/trades/": { body: [seedTrade] },
      "GET /order-matcher/orders?status=open&accountId=52355": { body: [] },
      "GET /order-matcher/orders?status=open": { body: [] },
      "GET /price-publisher/prices": {
        body: {
          prices: [
            {
              ticker: "BAC",
              price: 41.7,
              openPrice: 41.1,
              closePrice: 41.7,
              asOf: "2026-07-22T16:45:53.270Z",
            },
          ],
        },
      },
    });
    renderInApp(<TradePage />, "/trade");
    const select = (await screen.findByTestId("account-select")) as HTMLSelectElement;
    expect(select.value).toBe("52355");
    expect(select.options[0].value).toBe("0");
    expect(select.options[0].textContent).toBe("All Accounts");

    const positions = await screen.findByTestId("position-blotter");
    const cellText = (text: string) => (_: string, element: Element | null) =>
      element?.tagName === "TD" && element.textContent === text;
    await waitFor(() => expect(within(positions).getByText(cellText("41.700 ▲"))).toBeTruthy());
    expect(within(positions).getByText("-2,400")).toBeTruthy();
    expect(within(await screen.findByTestId("trade-blotter")).getByText("Settled")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Trade Ticket" }).hasAttribute("disabled")).toBe(false);

    await userEvent.selectOptions(select, "0");
    expect(screen.getByRole("button", { name: "Trade Ticket" }).hasAttribute("disabled")).toBe(true);
    expect(screen.getByRole("button", { name: "Order Ticket" }).hasAttribute("disabled")).toBe(true);
    expect(screen.getByTestId("all-accounts-note")).toBeTruthy();
    const trades = await screen.findByTestId("trade-blotter");
    await waitFor(() => expect(within(trades).getByText("Big Corporate Fund")).toBeTruthy());
    expect(within(trades).getAllByRole("columnheader")[0].textContent).toBe("ACCOUNT");
    expect(requests.some((r) => r.url === "/position-service/trades/")).toBe(true);
  });
});

describe("TradePage orders", () => {
  it("lists the account's open orders and preselects a clicked order's security in the order ticket", async () => {
    const openOrder = {
      orderId: "ord-013-0042",
      accountId: 52355,
      security: "MSFT",
      side: "Sell",
      quantity: 900,
      remainingQuantity: 650,
      limitPrice: 412,
      status: "PARTIALLY_FILLED",
      createdAt: "2026-07-22T16:00:00.000Z",
      updatedAt: "2026-07-22T16:01:00.000Z",
    };
    stubFetch({
      "GET /account-service/account/": { body: SEED_ACCOUNTS },
      "GET /reference-data/stocks": { body: SOME_STOCKS },
      "GET /position-service/trades/52355": { body: [] },
      "GET /position-service/positions/52355": { body: [] },
      "GET /position-service/positions/": { body: [] },
      "GET /order-matcher/orders?status=open&accountId=52355": { body: [openOrder] },
      "GET /price-publisher/prices": { body: { prices: [] } },
      "GET /price-publisher/prices/MSFT": {
        body: { ticker: "MSFT", price: 430.5, openPrice: 429.1, closePrice: 431.6 },
      },
    });
    renderInApp(<TradePage />, "/trade");
    await userEvent.click(await screen.findByRole("tab", { name: "Orders (1)" }));
    const row = (await screen.findByText("ord-013-0042")).closest("tr")!;
    expect(within(row).getByText("650")).toBeTruthy();
    expect(within(row).getByText("412.000")).toBeTruthy();
    await userEvent.click(row);
    const ticket = await screen.findByRole("form", { name: "Order Ticket" });
    expect((within(ticket).getByRole("combobox") as HTMLInputElement).value).toBe("MSFT - Microsoft");
  });
});

describe("AccountPage", () => {
  it("validates a new account name before posting and shows the users' full names (F5, F6)", async () => {
    const requests = stubFetch({
      "GET /account-service/account/": { body: SEED_ACCOUNTS },
      "GET /account-service/accountuser/": {
        body: [
          { accountId: 22214, username: "user01" },
          { accountId: 10031, username: "user03" },
        ],
      },
      "GET /people-service/People/GetPerson?LogonId=user01": {
        body: { logonId: "user01", fullName: "Alice Johnson" },
      },
      "POST /account-service/account/": (request) => ({
        body: { id: 65000, ...(request.body as object) },
      }),
    });
    renderInApp(<AccountPage />, "/account");
    const createForm = await screen.findByRole("form", { name: "Create account" });
    await userEvent.click(within(createForm).getByRole("button", { name: "Create account" }));
    expect(within(createForm).getByText("Enter an account name.")).toBeTruthy();
    expect(requests.some((r) => r.method === "POST")).toBe(false);

    await userEvent.type(within(createForm).getByLabelText("Account name"), "  Desk 7 ");
    await userEvent.click(within(createForm).getByRole("button", { name: "Create account" }));
    expect((await within(createForm).findByRole("status")).textContent).toContain(
      'Account 65000 "Desk 7" created.',
    );
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({ displayName: "Desk 7" });

    const row = (await screen.findByText("Test Account 20")).closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: "Users" }));
    const users = await screen.findByTestId("account-users");
    await waitFor(() => expect(within(users).getByText("Alice Johnson")).toBeTruthy());
    expect(within(users).queryByText("user03")).toBeNull();
  });
});
