/** The seed orders of contract 3.2, inserted at start when `orderbook` is empty and seeding is enabled. */
import { Order, OrderStatus, Side, newOrder } from "./orders.js";

const SEEDS: [string, number, string, Side, number, number, number, OrderStatus][] = [
  ["ord-013-0001", 22214, "IBM", "Buy", 1800, 1800, 187.25, "NEW"],
  ["ord-013-0002", 22214, "MSFT", "Sell", 900, 650, 412.0, "PARTIALLY_FILLED"],
  ["ord-013-0003", 44044, "JPM", "Buy", 1200, 1200, 191.5, "NEW"],
  ["ord-013-0004", 52355, "GS", "Sell", 300, 0, 498.0, "FILLED"],
  ["ord-013-0005", 10031, "NVDA", "Buy", 450, 450, 905.125, "NEW"],
  ["ord-013-0006", 10031, "C", "Sell", 1000, 1000, 61.5, "NEW"],
  ["ord-013-0007", 62654, "META", "Sell", 500, 500, 507.88, "NEW"],
];

export function seedOrders(now: number): Order[] {
  return SEEDS.map(
    ([orderId, accountId, security, side, quantity, remainingQuantity, limitPrice, status]) => ({
      ...newOrder(orderId, { accountId, security, side, quantity, limitPrice }, now),
      remainingQuantity,
      status,
    }),
  );
}
