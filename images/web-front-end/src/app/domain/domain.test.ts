import { describe, expect, it } from "vitest";
import { formatPrice, formatQuantity, formatRelativeTime, priceDirection } from "./format";
import { applyOrderEvent, orderCounters } from "./orders";
import { applyPrices, isFresher, pricesFromResponse } from "./prices";
import { applyTradeEvent } from "./trades";
import type { Order, PriceTick, Trade } from "./types";
import { mergePositionsBySecurity, portfolioTotals, valuePosition } from "./valuation";

const tick = (price: number, asOf?: string): PriceTick => ({
  ticker: "IBM",
  price,
  openPrice: 186,
  closePrice: 187.4,
  asOf,
});

describe("newest-asOf price rule", () => {
  it("keeps the candidate with the greatest asOf and ignores older ones", () => {
    const held = tick(187, "2026-07-22T16:45:53.270Z");
    expect(isFresher(held, tick(188, "2026-07-22T16:45:54.000Z"))).toBe(true);
    expect(isFresher(held, tick(186, "2026-07-22T16:45:52.000Z"))).toBe(false);
  });

  it("ignores an undated candidate once a dated one is held, but takes a dated one over an undated", () => {
    expect(isFresher(tick(187, "2026-07-22T16:45:53.270Z"), tick(190))).toBe(false);
    expect(isFresher(tick(187), tick(190, "2026-07-22T16:45:53.270Z"))).toBe(true);
    expect(isFresher(undefined, tick(190))).toBe(true);
  });

  it("applies a late REST snapshot only where it is newer than the stream", () => {
    const book = applyPrices({}, [tick(188, "2026-07-22T16:45:55.000Z")]);
    const afterSnapshot = applyPrices(book, [
      tick(187, "2026-07-22T16:45:50.000Z"),
      { ...tick(30, "2026-07-22T16:45:50.000Z"), ticker: "UBS" },
    ]);
    expect(afterSnapshot.IBM.price).toBe(188);
    expect(afterSnapshot.UBS.price).toBe(30);
    expect(applyPrices(afterSnapshot, [tick(1, "2026-07-22T16:40:00.000Z")])).toBe(afterSnapshot);
  });

  it("reads /prices as {prices:[…]} or as a bare array", () => {
    expect(pricesFromResponse({ prices: [tick(1)] })).toHaveLength(1);
    expect(pricesFromResponse([tick(1), tick(2)])).toHaveLength(2);
    expect(pricesFromResponse({ unexpected: true })).toEqual([]);
  });
});

describe("valuation", () => {
  it("values at the live price, or at average cost until a price is known", () => {
    const position = {
      accountId: 22214,
      security: "IBM",
      quantity: -100,
      averageCostBasis: 136.25,
      updated: "",
    };
    const live = valuePosition(position, { IBM: tick(187.5, "2026-07-22T16:45:55.000Z") });
    expect(live.marketValue).toBeCloseTo(-18750);
    expect(live.costValue).toBeCloseTo(-13625);
    expect(live.pnl).toBeCloseTo(-5125);
    const unpriced = valuePosition(position, {});
    expect(unpriced.marketPrice).toBe(136.25);
    expect(unpriced.pnl).toBe(0);
  });

  it("merges All Accounts positions per security, summing quantities and cost values", () => {
    const merged = mergePositionsBySecurity([
      { accountId: 1, security: "IBM", quantity: 100, averageCostBasis: 100, updated: "" },
      { accountId: 2, security: "IBM", quantity: 300, averageCostBasis: 200, updated: "" },
      { accountId: 2, security: "C", quantity: 10, averageCostBasis: 50, updated: "" },
      { accountId: 3, security: "C", quantity: -10, averageCostBasis: 60, updated: "" },
    ]);
    expect(merged.map((p) => [p.security, p.quantity, p.averageCostBasis])).toEqual([
      ["C", 0, 0],
      ["IBM", 400, 175],
    ]);
    const totals = portfolioTotals(merged.map((p) => valuePosition(p, {})));
    expect(totals.costValue).toBe(70000);
    expect(totals.positions).toBe(2);
  });
});

const order = (fields: Partial<Order>): Order => ({
  orderId: "ord-013-0001",
  accountId: 22214,
  security: "IBM",
  side: "Buy",
  quantity: 100,
  remainingQuantity: 100,
  limitPrice: 187.25,
  status: "NEW",
  createdAt: "2026-07-22T16:00:00.000Z",
  updatedAt: "2026-07-22T16:00:00.000Z",
  ...fields,
});

describe("order blotter events", () => {
  it("upserts open orders newest first and drops terminal ones", () => {
    let rows = applyOrderEvent([], order({}), 22214);
    rows = applyOrderEvent(
      rows,
      order({ orderId: "ord-013-0002", updatedAt: "2026-07-22T16:05:00.000Z" }),
      22214,
    );
    expect(rows.map((r) => r.orderId)).toEqual(["ord-013-0002", "ord-013-0001"]);
    rows = applyOrderEvent(
      rows,
      order({ status: "PARTIALLY_FILLED", remainingQuantity: 50, updatedAt: "2026-07-22T16:06:00.000Z" }),
      22214,
    );
    expect(rows.map((r) => [r.orderId, r.remainingQuantity])).toEqual([
      ["ord-013-0001", 50],
      ["ord-013-0002", 100],
    ]);
    rows = applyOrderEvent(rows, order({ status: "CANCELED", remainingQuantity: 0 }), 22214);
    expect(rows.map((r) => r.orderId)).toEqual(["ord-013-0002"]);
  });

  it("ignores other accounts in single-account mode but not in All Accounts mode", () => {
    expect(applyOrderEvent([], order({ accountId: 44044 }), 22214)).toEqual([]);
    expect(applyOrderEvent([], order({ accountId: 44044 }), 0)).toHaveLength(1);
  });

  it("counts open, unfilled and remaining quantity from the rows", () => {
    expect(
      orderCounters([
        order({}),
        order({ orderId: "b", status: "PARTIALLY_FILLED", remainingQuantity: 0 }),
        order({ orderId: "c", remainingQuantity: 2500 }),
      ]),
    ).toEqual({ openOrders: 3, unfilledOrders: 2, remainingQuantity: 2600 });
  });
});

describe("trade blotter events", () => {
  it("upserts by id and keeps the newest first, mixing ISO and epoch-ms timestamps", () => {
    const rest: Trade = {
      id: "TRADE-22214-AABBCC",
      accountId: 22214,
      security: "IBM",
      side: "Sell",
      state: "Settled",
      quantity: 100,
      price: 136.25,
      updated: "2026-07-22T16:00:00.000+00:00",
      created: "2026-07-22T16:00:00.000+00:00",
    };
    const pushed = { ...rest, id: "b1", updated: Date.parse("2026-07-22T16:10:00Z"), created: 0 };
    const rows = applyTradeEvent([rest], pushed);
    expect(rows.map((t) => t.id)).toEqual(["b1", "TRADE-22214-AABBCC"]);
    expect(applyTradeEvent(rows, { ...pushed, state: "Settled", quantity: 7 })).toHaveLength(2);
  });
});

describe("formatting", () => {
  it("prints prices with 3 decimals and groups quantities", () => {
    expect(formatPrice(187.2)).toBe("187.200");
    expect(formatPrice(undefined)).toBe("—");
    expect(formatQuantity(1234567)).toBe("1,234,567");
    expect(formatQuantity(-2400)).toBe("-2,400");
  });

  it("shows relative times and price arrows", () => {
    const now = Date.parse("2026-07-22T16:10:00Z");
    expect(formatRelativeTime(now - 5000, now)).toBe("5 seconds ago");
    expect(formatRelativeTime("2026-07-22T16:07:00Z", now)).toBe("3 minutes ago");
    expect(formatRelativeTime(now + 2000, now)).toBe("now");
    expect([priceDirection(2, 1), priceDirection(1, 2), priceDirection(1, 1)]).toEqual([
      "up",
      "down",
      "flat",
    ]);
  });
});
