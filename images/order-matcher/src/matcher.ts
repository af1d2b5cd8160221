/**
 * The order matcher around the book (contract 4.3): storage, trade submission, events and metrics.
 *
 * Ticks run synchronously over the book and only start fills; each fill then submits its trade, applies
 * the outcome, stores and publishes it on its own, so a slow trade-service delays only the orders it is
 * filling. Operations on one order are serialised: a cancel or force-fill waits for the fill in flight on
 * that order, and ticks skip an order while anything is in flight on it.
 */
import type { Logger } from "@traderx/service-lib";
import type { MatcherMetrics } from "./metrics.js";
import { OrderBook, type FillIntent } from "./order-book.js";
import { type Order, type OrderRequest, type Side } from "./orders.js";
import type { OrderStore } from "./store.js";

const STORE_RETRY_MS = 1_000;

export interface TradeTicket {
  security: string;
  quantity: number;
  accountId: number;
  side: Side;
}

export interface MatcherDependencies {
  book: OrderBook;
  store: OrderStore;
  metrics: MatcherMetrics;
  logger: Logger;
  /** Submits a market trade; true when trade-service answered 2xx. */
  submitTrade(ticket: TradeTicket): Promise<boolean>;
  /** Publishes an order event on its account's subject and on `/orders`. */
  publish(order: Order): void;
  now?: () => number;
}

export class OrderMatcher {
  private readonly book: OrderBook;
  private readonly now: () => number;
  /** Work in flight per order id; a later operation on the same order waits for it. */
  private readonly busy = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Epoch ms of the last scheduled tick. */
  lastTickAt: number | null = null;

  constructor(private readonly deps: MatcherDependencies) {
    this.book = deps.book;
    this.now = deps.now ?? Date.now;
  }

  /** Starts the scheduled tick: every `tickMs` after the previous one (fixed delay). */
  startTicking(tickMs: number): void {
    if (this.stopped) return;
    const tick = () => {
      this.scheduledTick();
      if (!this.stopped) this.timer = setTimeout(tick, tickMs);
    };
    this.timer = setTimeout(tick, tickMs);
  }

  /** Stops ticking and waits for the fills and writes in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.busy.values());
  }

  onPriceTick(security: string, price: number): void {
    this.runPass(this.book.onPrice(security, price));
  }

  scheduledTick(): void {
    this.deps.metrics.ticks.inc();
    this.lastTickAt = this.now();
    this.runPass(this.book.onScheduledTick());
  }

  /** Stores and publishes a new order; it fills only on a later tick. */
  async create(request: OrderRequest): Promise<Order> {
    const order = this.book.issue(request, this.now());
    await this.track(order.orderId, this.deps.store.insert(order));
    this.book.add(order);
    this.deps.metrics.events.inc({ event: "create" });
    this.publish(order);
    return order;
  }

  /**
   * Cancels an open order; a terminal one is returned unchanged. Either way the order is published.
   * Undefined when no such order exists.
   */
  async cancel(orderId: string): Promise<Order | undefined> {
    await this.whenIdle(orderId);
    const open = this.book.get(orderId);
    if (!open) return this.republishStored(orderId);
    this.book.hold(open);
    const canceledAt = this.now();
    const stored = (async () => {
      try {
        await this.deps.store.update({
          ...open,
          status: "CANCELED",
          remainingQuantity: 0,
          updatedAt: canceledAt,
        });
        this.book.cancel(open, canceledAt);
      } finally {
        this.book.release(open);
      }
    })();
    await this.track(orderId, stored);
    this.deps.metrics.events.inc({ event: "cancel" });
    this.publish(open);
    return open;
  }

  /**
   * Fills everything an open order has left through one trade. `filled` is false when trade-service
   * refused it (the order is then unchanged and not published). A terminal order is returned unchanged
   * and published.
   */
  async forceFill(orderId: string): Promise<{ order: Order; filled: boolean } | undefined> {
    await this.whenIdle(orderId);
    const open = this.book.get(orderId);
    if (!open) {
      const stored = await this.republishStored(orderId);
      return stored && { order: stored, filled: true };
    }
    const intent = this.book.beginForceFill(open)!;
    const filled = await this.track(orderId, this.fill(intent));
    return { order: open, filled };
  }

  private async republishStored(orderId: string): Promise<Order | undefined> {
    const stored = await this.deps.store.find(orderId);
    if (stored) this.publish(stored);
    return stored;
  }

  /** Runs the fills a trigger started and times the whole pass. */
  private runPass(intents: FillIntent[]): void {
    const started = performance.now();
    const fills = intents.map((intent) => this.track(intent.order.orderId, this.fill(intent)));
    void Promise.allSettled(fills).then(() =>
      this.deps.metrics.matchLatency.observe((performance.now() - started) / 1000),
    );
  }

  /** Submits the trade of a fill, then applies, stores and publishes the outcome. Never rejects. */
  private async fill(intent: FillIntent): Promise<boolean> {
    const { order } = intent;
    const { metrics, logger } = this.deps;
    if (intent.kind === "auto") metrics.autoFillAttempts.inc();
    let accepted = false;
    try {
      accepted = await this.deps.submitTrade({
        security: order.security,
        quantity: intent.quantity,
        accountId: order.accountId,
        side: order.side,
      });
    } catch (error) {
      logger.warn({ err: error, orderId: order.orderId }, "trade submission failed");
    }
    try {
      this.book.settle(intent, accepted, this.now());
      if (!accepted) {
        metrics.events.inc({ event: "reject" });
        metrics.tradeSubmitFailures.inc();
        // A failed auto-fill bumps updatedAt; a failed force-fill changes nothing.
        if (intent.kind === "auto") {
          await this.deps.store.update(order).catch((error: unknown) => {
            logger.warn({ err: error, orderId: order.orderId }, "could not store a failed fill attempt");
          });
        }
        return false;
      }
      if (intent.kind === "auto") metrics.autoFillSuccess.inc();
      const event =
        intent.kind === "force" ? "force_fill" : order.status === "FILLED" ? "fill" : "partial_fill";
      metrics.events.inc({ event });
      await this.storeBookedFill(order);
      this.publish(order);
      return true;
    } finally {
      this.book.release(order);
    }
  }

  /**
   * Stores a fill trade-service has booked. The trade cannot be taken back, so the write is retried until
   * it lands (a database restart) or the matcher stops; the order stays in flight meanwhile, so no tick,
   * cancel or force-fill acts on a state the table does not have.
   */
  private async storeBookedFill(order: Order): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.store.update(order);
        return;
      } catch (error) {
        const context = { err: error, orderId: order.orderId, attempt };
        if (this.stopped) {
          this.deps.logger.error(context, "stopping with a booked fill not stored");
          return;
        }
        this.deps.logger.error(context, "could not store a booked fill; retrying");
        await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS));
      }
    }
  }

  private publish(order: Order): void {
    try {
      this.deps.publish(order);
    } catch (error) {
      this.deps.logger.warn({ err: error, orderId: order.orderId }, "order event not published");
    }
  }

  private track<T>(orderId: string, work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(orderId, settled);
    void settled.then(() => {
      if (this.busy.get(orderId) === settled) this.busy.delete(orderId);
    });
    return work;
  }

  private async whenIdle(orderId: string): Promise<void> {
    for (let pending = this.busy.get(orderId); pending; pending = this.busy.get(orderId)) {
      await pending;
      if (this.busy.get(orderId) === pending) this.busy.delete(orderId);
    }
  }
}
