/**
 * Booking a trade order (contract 4.1 F4): a Settled trade and the updated position, written in one
 * transaction together with the id of the message that carried the order, so that the same message is
 * never booked twice.
 */
import { randomUUID } from "node:crypto";
import {
  divideHalfUp,
  fromThousandths,
  toThousandths,
  TRADE_ORDER_MAX_AGE_MS,
  type Database,
} from "@traderx/service-lib";

export interface TradeOrder {
  accountId: number;
  security: string;
  side: "Buy" | "Sell";
  quantity: number;
  price?: number | null;
}

export interface BookedTrade {
  id: string;
  accountId: number;
  security: string;
  side: "Buy" | "Sell";
  state: "Settled";
  quantity: number;
  price: number;
  created: Date;
  updated: Date;
}

export interface BookedPosition {
  accountId: number;
  security: string;
  quantity: number;
  averageCostBasis: number;
  updated: Date;
}

export type BookingResult =
  { booked: true; trade: BookedTrade; position: BookedPosition } | { booked: false };

/**
 * The position after a trade: signed quantity added, and the average cost moved by the signed notional
 * (old avg × old qty + price × signed qty) ÷ new qty, HALF_UP to 3 places, 0 when flat. This formula is
 * the contract even though it moves the average on reductions.
 */
export function nextPosition(
  old: { quantity: number; averageCostBasis: bigint },
  trade: { side: "Buy" | "Sell"; quantity: number; price: bigint },
): { quantity: number; averageCostBasis: bigint } {
  const signed = trade.side === "Buy" ? trade.quantity : -trade.quantity;
  const quantity = old.quantity + signed;
  if (quantity === 0) return { quantity, averageCostBasis: 0n };
  const notional = old.averageCostBasis * BigInt(old.quantity) + trade.price * BigInt(signed);
  return { quantity, averageCostBasis: divideHalfUp(notional, BigInt(quantity)) };
}

const UNIQUE_VIOLATION = "23505";

/** Books `order` unless `messageId` was booked before; then returns `{booked: false}`. */
export async function bookOrder(db: Database, order: TradeOrder, messageId: string): Promise<BookingResult> {
  try {
    return await db.transaction(async (client) => {
      const now = new Date();
      const price = toThousandths(order.price ?? 0);
      // Creates the position at zero when new and locks it either way, so bookings of one position are
      // serialised; the no-op update is what takes the lock and returns the current values in one trip.
      const current = (
        await client.query<{ quantity: number; averagecostbasis: string }>(
          `INSERT INTO positions AS p (accountid, security, updated, quantity, averagecostbasis)
           VALUES ($1, $2, $3, 0, 0)
           ON CONFLICT (accountid, security) DO UPDATE SET quantity = p.quantity
           RETURNING quantity, averagecostbasis`,
          [order.accountId, order.security, now],
        )
      ).rows[0];
      const next = nextPosition(
        { quantity: current.quantity, averageCostBasis: toThousandths(Number(current.averagecostbasis)) },
        { side: order.side, quantity: order.quantity, price },
      );
      const trade: BookedTrade = {
        id: randomUUID(),
        accountId: order.accountId,
        security: order.security,
        side: order.side,
        state: "Settled",
        quantity: order.quantity,
        price: fromThousandths(price),
        created: now,
        updated: now,
      };
      const position: BookedPosition = {
        accountId: order.accountId,
        security: order.security,
        quantity: next.quantity,
        averageCostBasis: fromThousandths(next.averageCostBasis),
        updated: now,
      };
      // Trade, position and message id in one statement. A message id booked before violates the
      // ledger's key, and the whole transaction rolls back.
      await client.query(
        `WITH trade AS (
           INSERT INTO trades (id, accountid, created, updated, security, side, quantity, price, state)
           VALUES ($1, $2, $3, $3, $4, $5, $6, $7, 'Settled') RETURNING id
         ), position AS (
           UPDATE positions SET quantity = $8, averagecostbasis = $9, updated = $3
           WHERE accountid = $2 AND security = $4
         )
         INSERT INTO booked_trade_messages (messageid, tradeid, booked) SELECT $10, id, $3 FROM trade`,
        [
          trade.id,
          trade.accountId,
          now,
          trade.security,
          trade.side,
          trade.quantity,
          trade.price,
          position.quantity,
          position.averageCostBasis,
          messageId,
        ],
      );
      return { booked: true, trade, position };
    });
  } catch (error) {
    // The message was booked before: a redelivery, or another consumer at the same moment.
    if (
      (error as { code?: string; table?: string }).code === UNIQUE_VIOLATION &&
      (error as { table?: string }).table === "booked_trade_messages"
    ) {
      return { booked: false };
    }
    throw error;
  }
}

/**
 * How long a booked message id is kept: as long as the stream keeps the message, and a day more. Until
 * then a consumer recreated from the start of the stream may deliver the message again.
 */
export const BOOKED_MESSAGE_RETENTION_MS = TRADE_ORDER_MAX_AGE_MS + 24 * 60 * 60 * 1000;

/** Forgets the message ids booked more than the retention before `now`; returns how many. */
export async function pruneBookedMessages(db: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - BOOKED_MESSAGE_RETENTION_MS);
  const result = await db.query("DELETE FROM booked_trade_messages WHERE booked < $1", [cutoff]);
  return result.rowCount ?? 0;
}

/** Errors that retrying cannot fix: bad data (SQLSTATE class 22) or a violated constraint (class 23). */
export function isPermanentBookingError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
