/**
 * The in-memory order book and its matcher (contract 4.3), free of I/O so that tests and the benchmark
 * drive it directly.
 *
 * Open orders are indexed per security and side by limit price (see PriceLadder), and by id. A pricing
 * tick visits only the price levels that are in the money (Buy: limit ≥ market, Sell: limit ≤ market),
 * instead of the reference's scan of every open order; creating or cancelling an order writes a slot in
 * each index. The scheduled tick visits only the orders a fill attempt left open, plus orders created in
 * the money since the last tick.
 *
 * The book holds open orders only; terminal ones leave memory (storage keeps them). A fill happens in
 * steps so that the trade submission runs outside any critical section: a tick returns `FillIntent`s
 * and marks their orders in flight, so that later ticks skip them; `settle` applies the outcome once
 * trade-service has answered; `release` hands the order back to the ticks once the caller has stored
 * and published it. The caller serialises cancel and force-fill with the fills of the same order.
 */
import {
  Order,
  OrderRequest,
  Side,
  fillQuantity,
  formatOrderId,
  isInTheMoney,
  isOpenStatus,
  priceKey,
  newOrder,
  orderIdSequence,
  roundPrice,
} from "./orders.js";
import { PriceLadder } from "./price-ladder.js";

/** A fill the book has decided on; the order stays in flight until `settle` is called with it. */
export interface FillIntent {
  readonly order: Order;
  readonly quantity: number;
  /** The execution price recorded on success: the last pricing tick, or the limit for a force-fill. */
  readonly price: number;
  readonly kind: "auto" | "force";
}

export interface OrderBookOptions {
  /** Remaining quantities below this fill completely; larger ones fill half at a time. */
  fullFillThreshold: number;
}

export interface OrderCounts {
  /** NEW or PARTIALLY_FILLED. */
  open: number;
  /** Open with remaining quantity above zero. */
  unfilled: number;
  openBySide: Record<Side, number>;
}

/** Consecutive order ids per chunk of the id index. */
const IDS_PER_CHUNK = 1024;

interface IdChunk {
  readonly orders: (Order | undefined)[];
  openOrders: number;
}

/**
 * Open orders by id. Our ids are issued in sequence, so an order sits in one slot of a chunk of
 * consecutive ids: creating and cancelling write that slot, where a Map keyed by the id string would hash
 * the string and probe a table as large as the book. A chunk (8 KiB) goes once its last order leaves, so
 * the index never costs more than 8 bytes per id issued since the oldest open order. Ids in any other
 * format (rows another implementation wrote) are kept in a Map.
 */
class OpenOrdersById {
  private readonly chunks = new Map<number, IdChunk>();
  private readonly otherIds = new Map<string, Order>();

  get(orderId: string): Order | undefined {
    const sequence = orderIdSequence(orderId);
    if (sequence === null) return this.otherIds.get(orderId);
    return this.chunks.get(Math.floor(sequence / IDS_PER_CHUNK))?.orders[sequence % IDS_PER_CHUNK];
  }

  add(order: Order): void {
    const { sequence } = order;
    if (sequence === null) {
      this.otherIds.set(order.orderId, order);
      return;
    }
    const number = Math.floor(sequence / IDS_PER_CHUNK);
    let chunk = this.chunks.get(number);
    if (!chunk) {
      chunk = { orders: new Array<Order | undefined>(IDS_PER_CHUNK).fill(undefined), openOrders: 0 };
      this.chunks.set(number, chunk);
    }
    const slot = sequence % IDS_PER_CHUNK;
    if (chunk.orders[slot] === undefined) chunk.openOrders++;
    chunk.orders[slot] = order;
  }

  delete(order: Order): void {
    const { sequence } = order;
    if (sequence === null) {
      this.otherIds.delete(order.orderId);
      return;
    }
    const number = Math.floor(sequence / IDS_PER_CHUNK);
    const chunk = this.chunks.get(number);
    const slot = sequence % IDS_PER_CHUNK;
    if (chunk?.orders[slot] !== order) return;
    chunk.orders[slot] = undefined;
    if (--chunk.openOrders === 0) this.chunks.delete(number);
  }

  *values(): IterableIterator<Order> {
    yield* this.otherIds.values();
    for (const chunk of this.chunks.values()) {
      for (const order of chunk.orders) if (order !== undefined) yield order;
    }
  }
}

export class OrderBook {
  private readonly openOrders = new OpenOrdersById();
  private readonly ladders = new Map<string, Record<Side, PriceLadder>>();
  /** Last pricing tick per security; none after a restart until the first tick arrives. */
  private readonly marketPrices = new Map<string, number>();
  private readonly inFlight = new Set<Order>();
  /** Open orders the next scheduled tick re-evaluates. */
  private readonly dueForScheduledTick = new Set<Order>();
  private highestSequence = 0;
  private readonly counts: OrderCounts = { open: 0, unfilled: 0, openBySide: { Buy: 0, Sell: 0 } };

  constructor(private readonly options: OrderBookOptions) {}

  /**
   * A NEW order for the request under the next id, not yet added (the service stores it first). Ids are
   * never reused, even when the order is not added in the end.
   */
  issue(request: OrderRequest, now: number): Order {
    const sequence = ++this.highestSequence;
    return newOrder(formatOrderId(sequence), request, now, sequence);
  }

  /**
   * Adds an open order: a new one, or one loaded from storage. It is never filled here, only by a later
   * tick; after a restart no market price is known, so nothing fills until a pricing tick arrives.
   */
  add(order: Order): void {
    if (!isOpenStatus(order.status)) throw new Error(`order ${order.orderId} is ${order.status}, not open`);
    this.openOrders.add(order);
    this.ladderOf(order).add(order);
    this.count(order, 1);
    const market = this.marketPrices.get(order.security);
    if (market !== undefined && isInTheMoney(order.side, order.limitKey, priceKey(market))) {
      this.dueForScheduledTick.add(order);
    }
  }

  /** A new order with the next id, added at once (tests and the benchmark; the service stores it first). */
  create(request: OrderRequest, now: number): Order {
    const order = this.issue(request, now);
    this.add(order);
    return order;
  }

  /** Makes sure new ids come after `sequence`, the highest one storage has ever issued. */
  advanceSequence(sequence: number): void {
    this.highestSequence = Math.max(this.highestSequence, sequence);
  }

  /** An open order by id; terminal orders are not kept in memory. */
  get(orderId: string): Order | undefined {
    return this.openOrders.get(orderId);
  }

  /** Every open order, in no particular order. */
  open(): IterableIterator<Order> {
    return this.openOrders.values();
  }

  getCounts(): Readonly<OrderCounts> {
    return this.counts;
  }

  marketPrice(security: string): number | null {
    return this.marketPrices.get(security) ?? null;
  }

  isInFlight(order: Order): boolean {
    return this.inFlight.has(order);
  }

  /** Cancels an open order; returns false (and changes nothing) when it is already terminal. */
  cancel(order: Order, now: number): boolean {
    if (!isOpenStatus(order.status)) return false;
    this.remove(order);
    order.status = "CANCELED";
    order.remainingQuantity = 0;
    order.updatedAt = now;
    return true;
  }

  /**
   * Records a pricing tick and returns a fill for every idle order of that security now in the money.
   */
  onPrice(security: string, price: number): FillIntent[] {
    this.marketPrices.set(security, price);
    const ladders = this.ladders.get(security);
    if (!ladders) return [];
    const marketKey = priceKey(price);
    const intents: FillIntent[] = [];
    const consider = (order: Order) => {
      if (this.inFlight.has(order)) return;
      this.dueForScheduledTick.delete(order);
      intents.push(this.beginAutoFill(order, price));
    };
    ladders.Buy.forEachInTheMoney(marketKey, consider);
    ladders.Sell.forEachInTheMoney(marketKey, consider);
    return intents;
  }

  /**
   * The scheduled tick: re-evaluates only the orders left open by a fill attempt (or created in the
   * money), against the last known price. Every other open order was out of the money at that price
   * when its last pricing tick was evaluated, and the price has not changed since.
   */
  onScheduledTick(): FillIntent[] {
    const intents: FillIntent[] = [];
    for (const order of this.dueForScheduledTick) {
      // An order still in flight stays due: its fill may leave it open.
      if (this.inFlight.has(order)) continue;
      this.dueForScheduledTick.delete(order);
      const market = this.marketPrices.get(order.security);
      if (market === undefined || !isInTheMoney(order.side, order.limitKey, priceKey(market))) continue;
      intents.push(this.beginAutoFill(order, market));
    }
    return intents;
  }

  /**
   * A force-fill of everything that remains, at the last market price or else the limit. Null when the
   * order is not open.
   */
  beginForceFill(order: Order): FillIntent | null {
    if (!isOpenStatus(order.status)) return null;
    this.inFlight.add(order);
    return {
      order,
      quantity: order.remainingQuantity,
      price: this.marketPrices.get(order.security) ?? order.limitPrice,
      kind: "force",
    };
  }

  /**
   * Applies the trade-service outcome of a fill. On success the order takes the fill; on failure an
   * auto-fill only bumps `updatedAt` and stays due for the next scheduled tick, and a force-fill leaves
   * the order untouched. The order stays in flight until `release`.
   */
  settle(intent: FillIntent, succeeded: boolean, now: number): void {
    const { order } = intent;
    if (!succeeded) {
      if (intent.kind === "auto") {
        order.updatedAt = now;
        this.dueForScheduledTick.add(order);
      }
      return;
    }
    const completes = intent.quantity === order.remainingQuantity;
    if (completes) this.remove(order);
    else this.count(order, -1);
    order.remainingQuantity -= intent.quantity;
    order.lastFillQuantity = intent.quantity;
    order.lastExecutionPrice = roundPrice(intent.price);
    order.updatedAt = now;
    if (completes) {
      order.status = "FILLED";
      return;
    }
    order.status = "PARTIALLY_FILLED";
    this.count(order, 1);
    this.dueForScheduledTick.add(order);
  }

  /** Keeps ticks away from an open order while the caller changes it (a cancel being stored). */
  hold(order: Order): void {
    this.inFlight.add(order);
  }

  /** Lets ticks consider the order again after a settled fill or a `hold`. */
  release(order: Order): void {
    this.inFlight.delete(order);
  }

  private beginAutoFill(order: Order, price: number): FillIntent {
    this.inFlight.add(order);
    return {
      order,
      quantity: fillQuantity(order.remainingQuantity, this.options.fullFillThreshold),
      price,
      kind: "auto",
    };
  }

  /** Takes an open order out of memory, before it becomes terminal. */
  private remove(order: Order): void {
    this.count(order, -1);
    this.openOrders.delete(order);
    this.ladderOf(order).remove(order);
    this.dueForScheduledTick.delete(order);
  }

  private ladderOf(order: Order): PriceLadder {
    let ladders = this.ladders.get(order.security);
    if (!ladders) {
      ladders = { Buy: new PriceLadder("Buy"), Sell: new PriceLadder("Sell") };
      this.ladders.set(order.security, ladders);
    }
    return ladders[order.side];
  }

  /** Adds (+1) or removes (-1) an open order's contribution to the counts. */
  private count(order: Order, delta: 1 | -1): void {
    this.counts.open += delta;
    this.counts.openBySide[order.side] += delta;
    if (order.remainingQuantity > 0) this.counts.unfilled += delta;
  }
}
