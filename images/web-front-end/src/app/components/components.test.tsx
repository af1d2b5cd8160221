import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubFetch } from "../testing/fakeFetch";
import { renderInApp, SOME_STOCKS } from "../testing/render";
import { Header } from "./Header";
import { OrdersTable } from "./OrdersTable";
import { StockTypeahead } from "./StockTypeahead";
import { TicketForm } from "./TicketForm";

afterEach(() => vi.unstubAllGlobals());

describe("StockTypeahead", () => {
  it("suggests `TICKER - Company` with browser autocomplete off and reports the chosen ticker", async () => {
    const onChange = vi.fn();
    renderInApp(<StockTypeahead label="Security" stocks={SOME_STOCKS} value="" onChange={onChange} />);
    const input = screen.getByRole("combobox");
    expect(input.getAttribute("autocomplete")).toBe("off");
    await userEvent.type(input, "mi");
    const options = screen.getAllByRole("option").map((option) => option.textContent);
    expect(options).toEqual(["MSFT - Microsoft"]);
    fireEvent.mouseDown(screen.getByRole("option", { name: "MSFT - Microsoft" }));
    expect(onChange).toHaveBeenLastCalledWith("MSFT");
    expect((input as HTMLInputElement).value).toBe("MSFT - Microsoft");
  });
});

describe("TicketForm", () => {
  it("validates before sending anything", async () => {
    const requests = stubFetch({});
    renderInApp(<TicketForm kind="trade" accountId={22214} stocks={SOME_STOCKS} />);
    await userEvent.click(screen.getByRole("button", { name: "Submit Trade" }));
    expect(screen.getByText("Choose a security from the list.")).toBeTruthy();
    expect(screen.getByText("Quantity must be a whole number above 0.")).toBeTruthy();
    expect(requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("sends {accountId, security, side, quantity} and shows the server's error text", async () => {
    const requests = stubFetch({
      "GET /price-publisher/prices/IBM": {
        body: { ticker: "IBM", price: 187.312, openPrice: 186, closePrice: 187.4 },
      },
      "POST /trade-service/trade/": {
        status: 404,
        body: {
          timestamp: "2026-07-22T16:45:53.270+00:00",
          status: 404,
          error: "Not Found",
          path: "/trade/",
        },
      },
    });
    renderInApp(<TicketForm kind="trade" accountId={99999999} stocks={SOME_STOCKS} initialSecurity="IBM" />);
    await userEvent.click(screen.getByRole("radio", { name: "Sell" }));
    await userEvent.type(screen.getByLabelText("Quantity"), "250");
    await userEvent.click(screen.getByRole("button", { name: "Submit Trade" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Not Found (HTTP 404)");
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({
      accountId: 99999999,
      security: "IBM",
      side: "Sell",
      quantity: 250,
    });
  });

  it("pre-fills the order limit from the live price and posts the order", async () => {
    const requests = stubFetch({
      "GET /price-publisher/prices/IBM": {
        body: {
          ticker: "IBM",
          price: 187.3125,
          openPrice: 186,
          closePrice: 187.4,
          asOf: "2026-07-22T16:45:53.270Z",
        },
      },
      "POST /order-matcher/orders": (request) => ({
        status: 201,
        body: { ...(request.body as object), orderId: "ord-013-0008", status: "NEW" },
      }),
    });
    const onDone = vi.fn();
    renderInApp(
      <TicketForm
        kind="order"
        accountId={22214}
        stocks={SOME_STOCKS}
        initialSecurity="IBM"
        onDone={onDone}
      />,
    );
    const limit = screen.getByLabelText("Limit price") as HTMLInputElement;
    await waitFor(() => expect(limit.value).toBe("187.313"));
    await userEvent.type(screen.getByLabelText("Quantity"), "77");
    await userEvent.click(screen.getByRole("button", { name: "Create Order" }));
    expect((await screen.findByRole("status")).textContent).toContain("ord-013-0008");
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({
      accountId: 22214,
      security: "IBM",
      side: "Buy",
      quantity: 77,
      limitPrice: 187.313,
    });
    expect(onDone).toHaveBeenCalled();
  });
});

describe("OrdersTable", () => {
  const order = {
    orderId: "ord-013-0003",
    accountId: 44044,
    security: "JPM",
    side: "Buy" as const,
    quantity: 1200,
    remainingQuantity: 1200,
    limitPrice: 191.5,
    status: "NEW" as const,
    createdAt: "2026-07-22T16:00:00.000Z",
    updatedAt: "2026-07-22T16:00:00.000Z",
  };

  it("shows the admin columns with live market and delta, and per-row actions", async () => {
    const onForceFill = vi.fn();
    const prices = { JPM: { ticker: "JPM", price: 195.8, openPrice: 194.1, closePrice: 195.8 } };
    renderInApp(
      <OrdersTable
        variant="admin"
        orders={[order]}
        prices={prices}
        onCancel={vi.fn()}
        onForceFill={onForceFill}
      />,
    );
    const headers = screen.getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual([
      "ORDER ID",
      "ACCOUNT",
      "SECURITY",
      "SIDE",
      "QTY",
      "REMAINING",
      "STRIKE",
      "MARKET",
      "DELTA",
      "STATUS",
      "UPDATED",
      "CANCEL",
      "FORCE FILL",
    ]);
    const row = screen.getAllByRole("row")[1];
    expect(within(row).getByText("1,200", { selector: "td:nth-child(5)" })).toBeTruthy();
    expect(within(row).getByText("195.800")).toBeTruthy();
    expect(within(row).getByText("4.300")).toBeTruthy();
    await userEvent.click(within(row).getByRole("button", { name: "Force Fill" }));
    expect(onForceFill).toHaveBeenCalledWith(order);
  });
});

describe("Header", () => {
  it("shows the bus state and a System menu with the contract's entries", async () => {
    renderInApp(<Header stateUi={undefined} />);
    expect(screen.getByTestId("bus-state").textContent).toContain("Connecting");
    await userEvent.click(screen.getByRole("button", { name: /System/ }));
    const links = screen
      .getAllByRole("menuitem")
      .map((item) => [item.textContent, item.getAttribute("href")]);
    expect(links).toEqual([
      ["About", "/about"],
      ["Status", "/status"],
      ["API Explorer", "/api/docs"],
      ["Pub/Sub Inspector", "/api/docs/pubsub-inspector.html"],
    ]);
  });
});
