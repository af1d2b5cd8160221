import { upsertBy } from "./collections";
import type { Order } from "./types";

export function isOpenOrder(order: Pick<Order, "status">): boolean {
  return order.status === "NEW" || order.status === "PARTIALLY_FILLED";
}

function sortByUpdatedDesc(orders: Order[]): Order[] {
  return orders.sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
}

/**
 * Order blotter event handling (contract 4.3): events of other accounts are ignored in single-account
 * mode (`accountId` 0 means every account); a terminal status drops the row; anything else is upserted
 * by `orderId` and the rows re-sorted newest `updatedAt` first.
 */
export function applyOrderEvent(rows: readonly Order[], event: Order, accountId: number): Order[] {
  if (accountId !== 0 && event.accountId !== accountId) return rows.slice();
  if (!isOpenOrder(event)) return rows.filter((row) => row.orderId !== event.orderId);
  return sortByUpdatedDesc(upsertBy(rows, event, (row) => row.orderId));
}

export interface OrderCounters {
  openOrders: number;
  unfilledOrders: number;
  remainingQuantity: number;
}

/** The Admin page counters, computed from the rows on screen. */
export function orderCounters(rows: readonly Order[]): OrderCounters {
  const open = rows.filter(isOpenOrder);
  return {
    openOrders: open.length,
    unfilledOrders: open.filter((row) => row.remainingQuantity > 0).length,
    remainingQuantity: open.reduce((sum, row) => sum + row.remainingQuantity, 0),
  };
}
