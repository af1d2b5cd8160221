/**
 * The order model of contract 1.9 and 4.3: sides, statuses, prices with three decimals, and the
 * threshold rule that sizes each fill.
 */

export const SIDES = ["Buy", "Sell"] as const;
export type Side = (typeof SIDES)[number];

export const ORDER_STATUSES = ["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order as the book holds it. Times are epoch milliseconds; prices have three decimals. */
export interface Order {
  readonly orderId: string;
  /** The number in an `ord-013-NNNN` id; null for an id in any other format. */
  readonly sequence: number | null;
  readonly accountId: number;
  readonly security: string;
  readonly side: Side;
  readonly quantity: number;
  readonly limitPrice: number;
  /** `limitPrice` in thousandths, the key of the price index. */
  readonly limitKey: number;
  remainingQuantity: number;
  status: OrderStatus;
  readonly createdAt: number;
  updatedAt: number;
  lastExecutionPrice: number | null;
  lastFillQuantity: number | null;
}

/** What a client supplies to create an order, already validated. */
export interface OrderRequest {
  accountId: number;
  security: string;
  side: Side;
  quantity: number;
  limitPrice: number;
}

/**
 * A NEW order for a request: limit rounded to three decimals, nothing filled yet. A caller that has just
 * formatted the id from its sequence number passes that number, which saves parsing it back.
 */
export function newOrder(
  orderId: string,
  request: OrderRequest,
  now: number,
  sequence = orderIdSequence(orderId),
): Order {
  const limitPrice = roundPrice(request.limitPrice);
  return {
    orderId,
    sequence,
    accountId: request.accountId,
    security: request.security,
    side: request.side,
    quantity: request.quantity,
    limitPrice,
    limitKey: priceKey(limitPrice),
    remainingQuantity: request.quantity,
    status: "NEW",
    createdAt: now,
    updatedAt: now,
    lastExecutionPrice: null,
    lastFillQuantity: null,
  };
}

export function isOpenStatus(status: OrderStatus): boolean {
  return status === "NEW" || status === "PARTIALLY_FILLED";
}

/** A price in thousandths, rounded half-up (half away from zero for the positive prices used here). */
export function priceKey(price: number): number {
  // The epsilon absorbs binary representation error, so 1.0005 (stored as 1.000499…) rounds up.
  return Math.round(price * 1000 + Math.sign(price) * 1e-7);
}

/** Rounds a price to three decimals, HALF_UP, as every JSON price of the contract is. */
export function roundPrice(price: number): number {
  return priceKey(price) / 1000;
}

/** Buy fills when the market is at or below the limit; Sell when at or above it. */
export function isInTheMoney(side: Side, limitKey: number, marketKey: number): boolean {
  return side === "Buy" ? marketKey <= limitKey : marketKey >= limitKey;
}

/**
 * The quantity of one fill attempt: everything left when it is below the threshold, otherwise half of it
 * rounded up. With the default threshold of 1000: 5000 → 2500 → 1250 → 625 → 0.
 */
export function fillQuantity(remaining: number, fullFillThreshold: number): number {
  return remaining < fullFillThreshold ? remaining : Math.ceil(remaining / 2);
}

const ORDER_ID_PREFIX = "ord-013-";
const ZERO = "0".charCodeAt(0);

export function formatOrderId(sequence: number): string {
  return ORDER_ID_PREFIX + String(sequence).padStart(4, "0");
}

/** The sequence number of an id in our format (`ord-013-0042` → 42), or null for any other id. */
export function orderIdSequence(orderId: string): number | null {
  const digits = orderId.length - ORDER_ID_PREFIX.length;
  if (digits < 4 || !orderId.startsWith(ORDER_ID_PREFIX)) return null;
  // formatOrderId pads to four digits, so only a four-digit id may start with a zero.
  if (digits > 4 && orderId.charCodeAt(ORDER_ID_PREFIX.length) === ZERO) return null;
  let sequence = 0;
  for (let i = ORDER_ID_PREFIX.length; i < orderId.length; i++) {
    const digit = orderId.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return null;
    sequence = sequence * 10 + digit;
  }
  return Number.isSafeInteger(sequence) ? sequence : null;
}
