/**
 * The `orderbook` table (contract 3.1): every order, open or terminal. Open orders are loaded into the
 * book at start; queries for lists and single orders read from here, so terminal orders need no memory.
 */
import type { Database, Queryable } from "@traderx/service-lib";
import { ORDER_STATUSES, Order, OrderStatus, Side, orderIdSequence, priceKey } from "./orders.js";

interface OrderRow {
  orderid: string;
  accountid: number;
  security: string;
  side: Side;
  quantity: number;
  remainingquantity: number;
  limitprice: string;
  status: OrderStatus;
  createdat: Date;
  updatedat: Date;
  lastexecutionprice: string | null;
  lastfillquantity: number | null;
}

const COLUMNS =
  "orderid, accountid, security, side, quantity, remainingquantity, limitprice, status, createdat, updatedat, " +
  "lastexecutionprice, lastfillquantity";

function fromRow(row: OrderRow): Order {
  const limitPrice = Number(row.limitprice);
  return {
    orderId: row.orderid,
    sequence: orderIdSequence(row.orderid),
    accountId: row.accountid,
    security: row.security,
    side: row.side,
    quantity: row.quantity,
    limitPrice,
    limitKey: priceKey(limitPrice),
    remainingQuantity: row.remainingquantity,
    status: row.status,
    createdAt: row.createdat.getTime(),
    updatedAt: row.updatedat.getTime(),
    lastExecutionPrice: row.lastexecutionprice === null ? null : Number(row.lastexecutionprice),
    lastFillQuantity: row.lastfillquantity,
  };
}

// TIMESTAMP columns hold UTC wall-clock time; sessions run with timezone=UTC, so ISO-Z strings store exactly.
const timestamp = (epochMs: number) => new Date(epochMs).toISOString();

export interface OrderFilter {
  /** Statuses to include; all when omitted. */
  statuses?: readonly OrderStatus[];
  accountId?: number;
}

export class OrderStore {
  constructor(private readonly db: Database) {}

  insert(order: Order, on: Queryable = this.db.pool): Promise<unknown> {
    return on.query(
      `INSERT INTO orderbook (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        order.orderId,
        order.accountId,
        order.security,
        order.side,
        order.quantity,
        order.remainingQuantity,
        order.limitPrice,
        order.status,
        timestamp(order.createdAt),
        timestamp(order.updatedAt),
        order.lastExecutionPrice,
        order.lastFillQuantity,
      ],
    );
  }

  /** Inserts `orders` in one transaction when the table is empty; true when it did. */
  seedIfEmpty(orders: readonly Order[]): Promise<boolean> {
    return this.db.transaction(async (client) => {
      // Serialises concurrent starts, so the seeds go in once.
      await client.query("LOCK TABLE orderbook IN SHARE ROW EXCLUSIVE MODE");
      if ((await client.query("SELECT 1 FROM orderbook LIMIT 1")).rows.length > 0) return false;
      for (const order of orders) await this.insert(order, client);
      return true;
    });
  }

  /** Writes the fields a fill, a failed fill or a cancel change. */
  async update(order: Order): Promise<void> {
    await this.db.query(
      "UPDATE orderbook SET remainingquantity = $2, status = $3, updatedat = $4, lastexecutionprice = $5, " +
        "lastfillquantity = $6 WHERE orderid = $1",
      [
        order.orderId,
        order.remainingQuantity,
        order.status,
        timestamp(order.updatedAt),
        order.lastExecutionPrice,
        order.lastFillQuantity,
      ],
    );
  }

  async find(orderId: string): Promise<Order | undefined> {
    const { rows } = await this.db.query<OrderRow>(`SELECT ${COLUMNS} FROM orderbook WHERE orderid = $1`, [
      orderId,
    ]);
    return rows[0] && fromRow(rows[0]);
  }

  /** Orders matching the filter, most recently updated first. */
  async list(filter: OrderFilter): Promise<Order[]> {
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${COLUMNS} FROM orderbook WHERE ($1::text[] IS NULL OR status = ANY($1)) ` +
        "AND ($2::integer IS NULL OR accountid = $2) ORDER BY updatedat DESC, orderid DESC",
      [filter.statuses ?? null, filter.accountId ?? null],
    );
    return rows.map(fromRow);
  }

  /** Every open order, oldest first, to rebuild the book at start. */
  async loadOpen(): Promise<Order[]> {
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${COLUMNS} FROM orderbook WHERE status IN ('NEW', 'PARTIALLY_FILLED') ORDER BY createdat, orderid`,
    );
    return rows.map(fromRow);
  }

  /** The highest sequence number any `ord-013-NNNN` id has used, 0 when there is none. */
  async highestSequence(): Promise<number> {
    const { rows } = await this.db.query<{ highest: string | null }>(
      "SELECT max(substring(orderid FROM 9)::bigint) AS highest FROM orderbook WHERE orderid ~ '^ord-013-[0-9]{1,15}$'",
    );
    return Number(rows[0].highest ?? 0);
  }

  /** Row count per status (every status present) and in total, to re-seed the event counters. */
  async countByStatus(): Promise<{ total: number; byStatus: Record<OrderStatus, number> }> {
    const { rows } = await this.db.query<{ status: OrderStatus; count: string }>(
      "SELECT status, count(*) AS count FROM orderbook GROUP BY status",
    );
    const byStatus = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Record<
      OrderStatus,
      number
    >;
    let total = 0;
    for (const row of rows) {
      byStatus[row.status] = Number(row.count);
      total += Number(row.count);
    }
    return { total, byStatus };
  }
}
