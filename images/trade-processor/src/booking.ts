/**
 * Booking a trade order (contract 4.1 F4): a Settled trade and the updated position, written in one
 * transaction together with the id of the message that carried the order, so that the same message is
 * never booked twice.
 */
import { randomUUID } from "node:crypto";
import { divideHalfUp, fromThousandths, toThousandths, type Database } from "@traderx/service-lib";

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
      const seen = await client.query("SELECT 1 FROM booked_trade_messages WHERE messageid = $1", [
        messageId,
      ]);
      if (seen.rowCount) return { booked: false };
      const now = new Date();
      const price = toThousandths(order.price ?? 0);
      // Ensure the row exists, then lock it: concurrent bookings of one position are serialised.
      await client.query(
        `INSERT INTO positions (accountid, security, updated, quantity, averagecostbasis)
         VALUES ($1, $2, $3, 0, 0) ON CONFLICT DO NOTHING`,
        [order.accountId, order.security, now],
      );
      const current = (
        await client.query<{ quantity: number; averagecostbasis: string }>(
          "SELECT quantity, averagecostbasis FROM positions WHERE accountid = $1 AND security = $2 FOR UPDATE",
          [order.accountId, order.security],
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
      await client.query(
        `INSERT INTO trades (id, accountid, created, updated, security, side, quantity, price, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          trade.id,
          trade.accountId,
          now,
          now,
          trade.security,
          trade.side,
          trade.quantity,
          trade.price,
          trade.state,
        ],
      );
      const position: BookedPosition = {
        accountId: order.accountId,
        security: order.security,
        quantity: next.quantity,
        averageCostBasis: fromThousandths(next.averageCostBasis),
        updated: now,
      };
      await client.query(
        "UPDATE positions SET quantity = $3, averagecostbasis = $4, updated = $5 WHERE accountid = $1 AND security = $2",
        [position.accountId, position.security, position.quantity, position.averageCostBasis, now],
      );
      await client.query(
        "INSERT INTO booked_trade_messages (messageid, tradeid, booked) VALUES ($1, $2, $3)",
        [messageId, trade.id, now],
      );
      return { booked: true, trade, position };
    });
  } catch (error) {
    // Another consumer booked the same message between our check and our insert.
    if (
      (error as { code?: string; table?: string }).code === UNIQUE_VIOLATION &&
      (error as { table?: string }).table === "booked_trade_messages"
    ) {
      return { booked: false };
    }
    throw error;
  }
}

/** Errors that retrying cannot fix: bad data (SQLSTATE class 22) or a violated constraint (class 23). */
export function isPermanentBookingError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
