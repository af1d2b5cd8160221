/**
 * Matcher benchmark: our price-indexed OrderBook against a scan-all matcher written here as the
 * baseline (the reference evaluates every open order on every tick), in the same run, at 1k, 100k and
 * 1M open orders.
 *
 * Workload (seeded, identical for both matchers): 20 securities; Buy limits up to 10% below and Sell
 * limits up to 10% above each security's reference price, quantities 1–5000. A pricing tick moves one
 * security to within ±0.05% of its reference price, so few orders are in the money, as in a live book.
 * Every fill is settled as a success at once, and each order that fills completely is replaced by a new
 * one (not timed) so that the book keeps its size. Every 10th pricing tick is followed by a scheduled
 * tick. The run fails if the two matchers disagree on what they filled.
 *
 * Order events: on the same book, a stream alternating one create and one cancel (of the oldest open
 * order), so that the book keeps its size, timed in EVENT_ROUNDS rounds; the median round is reported,
 * so that one round slowed by another process on this shared machine does not decide the figure.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { FillIntent, OrderBook } from "../src/order-book.js";
import {
  Order,
  OrderRequest,
  fillQuantity,
  formatOrderId,
  isInTheMoney,
  isOpenStatus,
  newOrder,
  priceKey,
  roundPrice,
} from "../src/orders.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
/** Full collections until the heap stops shrinking, so that heap figures count only live objects. */
function collectGarbage(): void {
  let before: number;
  do {
    before = process.memoryUsage().heapUsed;
    gc();
  } while (process.memoryUsage().heapUsed < before * 0.99);
}

const SIZES = [1_000, 100_000, 1_000_000];
const SECURITY_COUNT = 20;
const FULL_FILL_THRESHOLD = 1000;
const SCHEDULED_TICK_EVERY = 10;
/** Each matcher ticks for this long (or MAX_TICKS) at every size. */
const TICK_BUDGET_MS = 1500;
const MAX_TICKS = 300_000;
/** Create and cancel events timed on each book, in rounds of equal size. */
const ORDER_EVENTS = 400_000;
const EVENT_ROUNDS = 5;
const SEED = 20260102;

/** What the benchmark needs from a matcher; OrderBook has exactly this shape. */
interface Matcher {
  create(request: OrderRequest, now: number): Order;
  cancel(order: Order, now: number): boolean;
  onPrice(security: string, price: number): FillIntent[];
  onScheduledTick(): FillIntent[];
  settle(intent: FillIntent, succeeded: boolean, now: number): void;
  release(order: Order): void;
  open(): IterableIterator<Order>;
}

/** The baseline: open orders in one map, every tick scans all of them. */
class ScanAllMatcher implements Matcher {
  private readonly openOrders = new Map<string, Order>();
  private readonly marketPrices = new Map<string, number>();
  private readonly inFlight = new Set<Order>();
  private sequence = 0;

  create(request: OrderRequest, now: number): Order {
    const order = newOrder(formatOrderId(++this.sequence), request, now);
    this.openOrders.set(order.orderId, order);
    return order;
  }

  cancel(order: Order, now: number): boolean {
    if (!isOpenStatus(order.status)) return false;
    order.status = "CANCELED";
    order.remainingQuantity = 0;
    order.updatedAt = now;
    this.openOrders.delete(order.orderId);
    return true;
  }

  onPrice(security: string, price: number): FillIntent[] {
    this.marketPrices.set(security, price);
    return this.scan((order) => order.security === security);
  }

  onScheduledTick(): FillIntent[] {
    return this.scan(() => true);
  }

  settle(intent: FillIntent, succeeded: boolean, now: number): void {
    const { order } = intent;
    if (!succeeded) return;
    order.remainingQuantity -= intent.quantity;
    order.lastFillQuantity = intent.quantity;
    order.lastExecutionPrice = roundPrice(intent.price);
    order.updatedAt = now;
    order.status = order.remainingQuantity === 0 ? "FILLED" : "PARTIALLY_FILLED";
    if (order.remainingQuantity === 0) this.openOrders.delete(order.orderId);
  }

  release(order: Order): void {
    this.inFlight.delete(order);
  }

  open(): IterableIterator<Order> {
    return this.openOrders.values();
  }

  private scan(selected: (order: Order) => boolean): FillIntent[] {
    const intents: FillIntent[] = [];
    for (const order of this.openOrders.values()) {
      if (!selected(order) || this.inFlight.has(order)) continue;
      const market = this.marketPrices.get(order.security);
      if (market === undefined || !isInTheMoney(order.side, order.limitKey, priceKey(market))) continue;
      this.inFlight.add(order);
      intents.push({
        order,
        quantity: fillQuantity(order.remainingQuantity, FULL_FILL_THRESHOLD),
        price: market,
        kind: "auto",
      });
    }
    return intents;
  }
}

interface Universe {
  securities: string[];
  referencePrices: number[];
}

function makeUniverse(rng: RandomGenerator): Universe {
  const securities = Array.from({ length: SECURITY_COUNT }, (_, i) => `SEC${String(i).padStart(2, "0")}`);
  const referencePrices = securities.map(() => roundPrice(10 + uniformFloat64(rng) * 990));
  return { securities, referencePrices };
}

function orderRequest(universe: Universe, rng: RandomGenerator): OrderRequest {
  const index = uniformInt(rng, 0, SECURITY_COUNT - 1);
  const side = uniformInt(rng, 0, 1) === 0 ? "Buy" : "Sell";
  const distance = uniformFloat64(rng) * 0.1;
  const reference = universe.referencePrices[index];
  return {
    accountId: 22214,
    security: universe.securities[index],
    side,
    quantity: uniformInt(rng, 1, 5000),
    limitPrice: roundPrice(side === "Buy" ? reference * (1 - distance) : reference * (1 + distance)),
  };
}

interface Tick {
  security: string;
  price: number;
}

function makeTicks(universe: Universe, rng: RandomGenerator, count: number): Tick[] {
  return Array.from({ length: count }, () => {
    const index = uniformInt(rng, 0, SECURITY_COUNT - 1);
    const move = (uniformFloat64(rng) - 0.5) * 0.001;
    return {
      security: universe.securities[index],
      price: roundPrice(universe.referencePrices[index] * (1 + move)),
    };
  });
}

interface RunResult {
  buildSeconds: number;
  orderEventsPerSecond: number;
  /** Heap the book holds after the build. */
  heapMb: number;
  ticks: number;
  ticksPerSecond: number;
  tickLatencyUs: { p50: number; p99: number };
  scheduledTicksPerSecond: number;
  /** Cumulative filled quantity after each pricing tick, to check that both matchers agree. */
  filledAfterTick: Float64Array;
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function run(
  matcher: Matcher,
  universe: Universe,
  requests: OrderRequest[],
  ticks: Tick[],
  eventRequests: OrderRequest[],
): RunResult {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  let now = Date.UTC(2026, 0, 2);

  let started = performance.now();
  for (const request of requests) matcher.create(request, now);
  const buildSeconds = (performance.now() - started) / 1000;
  collectGarbage();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

  const replacements = xoroshiro128plus(SEED + requests.length);
  const tickDurations = new Float64Array(ticks.length);
  const filledAfterTick = new Float64Array(ticks.length);
  let filled = 0;
  let scheduledTicks = 0;
  let scheduledMs = 0;
  let tickMs = 0;
  let count = 0;
  const settleAll = (intents: FillIntent[]): number => {
    let completed = 0;
    for (const intent of intents) {
      matcher.settle(intent, true, now);
      matcher.release(intent.order);
      filled += intent.quantity;
      if (intent.order.remainingQuantity === 0) completed++;
    }
    return completed;
  };
  const deadline = performance.now() + TICK_BUDGET_MS;
  while (count < ticks.length && performance.now() < deadline) {
    now += 1;
    const tick = ticks[count];
    started = performance.now();
    let completed = settleAll(matcher.onPrice(tick.security, tick.price));
    const elapsed = performance.now() - started;
    tickDurations[count] = elapsed;
    tickMs += elapsed;
    if (count % SCHEDULED_TICK_EVERY === SCHEDULED_TICK_EVERY - 1) {
      started = performance.now();
      completed += settleAll(matcher.onScheduledTick());
      scheduledMs += performance.now() - started;
      scheduledTicks++;
    }
    filledAfterTick[count] = filled;
    for (let i = 0; i < completed; i++) matcher.create(orderRequest(universe, replacements), now);
    count++;
  }

  // The open orders, oldest first, in a ring: each new order takes the slot of the one it cancels, so
  // the benchmark itself keeps no canceled order alive.
  const ring = [...matcher.open()];
  let oldest = 0;
  const roundRates: number[] = [];
  const perRound = eventRequests.length / EVENT_ROUNDS;
  for (let round = 0; round < EVENT_ROUNDS; round++) {
    started = performance.now();
    for (let i = round * perRound; i < (round + 1) * perRound; i++) {
      const canceled = ring[oldest];
      ring[oldest] = matcher.create(eventRequests[i], now);
      matcher.cancel(canceled, now);
      oldest = (oldest + 1) % ring.length;
    }
    roundRates.push((2 * perRound) / ((performance.now() - started) / 1000));
  }
  const orderEventsPerSecond = roundRates.sort((a, b) => a - b)[Math.floor(EVENT_ROUNDS / 2)];

  const sorted = tickDurations.slice(0, count).sort();
  return {
    buildSeconds,
    orderEventsPerSecond,
    heapMb,
    ticks: count,
    ticksPerSecond: count / (tickMs / 1000),
    tickLatencyUs: { p50: percentile(sorted, 0.5) * 1000, p99: percentile(sorted, 0.99) * 1000 },
    scheduledTicksPerSecond: scheduledTicks / (scheduledMs / 1000),
    filledAfterTick: filledAfterTick.slice(0, count),
  };
}

const formatRate = (perSecond: number): string => Math.round(perSecond).toLocaleString("en-US");
const formatSize = (size: number): string => (size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`);

function row(cells: (string | number)[]): string {
  return cells.map((cell, i) => String(cell).padStart(i === 0 ? 6 : i === 1 ? 9 : 14)).join(" ");
}

function main(): void {
  const universe = makeUniverse(xoroshiro128plus(SEED));
  console.log(
    `matcher benchmark: ${SECURITY_COUNT} securities, ticks within ±0.05% of the reference price, ` +
      `${TICK_BUDGET_MS} ms of pricing ticks per matcher and size, node ${process.version}`,
  );
  console.log(
    row([
      "open",
      "matcher",
      "ticks/s",
      "tick p50 µs",
      "tick p99 µs",
      "sched ticks/s",
      "events/s",
      "build s",
      "heap MB",
    ]),
  );
  let failed = false;
  for (const size of SIZES) {
    const requestRng = xoroshiro128plus(SEED + 1);
    const requests = Array.from({ length: size }, () => orderRequest(universe, requestRng));
    const ticks = makeTicks(universe, xoroshiro128plus(SEED + 2), MAX_TICKS);
    const eventRng = xoroshiro128plus(SEED + 3);
    const eventRequests = Array.from({ length: ORDER_EVENTS / 2 }, () => orderRequest(universe, eventRng));
    const results: Record<string, RunResult> = {};
    const matchers: [string, () => Matcher][] = [
      ["indexed", () => new OrderBook({ fullFillThreshold: FULL_FILL_THRESHOLD })],
      ["scan-all", () => new ScanAllMatcher()],
    ];
    for (const [name, make] of matchers) {
      const result = run(make(), universe, requests, ticks, eventRequests);
      results[name] = result;
      console.log(
        row([
          formatSize(size),
          name,
          formatRate(result.ticksPerSecond),
          result.tickLatencyUs.p50.toFixed(1),
          result.tickLatencyUs.p99.toFixed(1),
          formatRate(result.scheduledTicksPerSecond),
          formatRate(result.orderEventsPerSecond),
          result.buildSeconds.toFixed(2),
          result.heapMb.toFixed(0),
        ]),
      );
    }
    const { indexed, "scan-all": baseline } = results;
    const common = Math.min(indexed.ticks, baseline.ticks);
    const agree = indexed.filledAfterTick[common - 1] === baseline.filledAfterTick[common - 1];
    failed ||= !agree;
    console.log(
      `  ${formatSize(size)}: pricing ticks/s indexed ÷ scan-all = ${(indexed.ticksPerSecond / baseline.ticksPerSecond).toFixed(1)}×` +
        `, scheduled ticks/s ratio = ${(indexed.scheduledTicksPerSecond / baseline.scheduledTicksPerSecond).toFixed(1)}×` +
        `, order events/s (create+cancel) indexed ${formatRate(indexed.orderEventsPerSecond)} vs scan-all ${formatRate(baseline.orderEventsPerSecond)}` +
        `; filled quantity after ${common} ticks ${agree ? "agrees" : "DIFFERS"} (${indexed.filledAfterTick[common - 1]})`,
    );
  }
  if (failed) {
    console.error("the indexed matcher and the scan-all baseline filled different quantities");
    process.exitCode = 1;
  }
}

main();
