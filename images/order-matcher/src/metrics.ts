/**
 * The order-matcher series of contract 1.9, registered in the service's registry so that both `/metrics`
 * and `/actuator/prometheus` carry them next to the library's HTTP and process metrics.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { OrderCounts } from "./order-book.js";
import { SIDES } from "./orders.js";

export const ORDER_EVENTS = ["create", "partial_fill", "fill", "cancel", "reject", "force_fill"] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export interface MatcherMetrics {
  events: Counter<"event">;
  ticks: Counter;
  autoFillAttempts: Counter;
  autoFillSuccess: Counter;
  tradeSubmitFailures: Counter;
  /** Seconds from a trigger (pricing tick or scheduled tick) until every fill it started has settled. */
  matchLatency: Histogram;
}

export function createMatcherMetrics(
  registry: Registry,
  counts: () => Readonly<OrderCounts>,
): MatcherMetrics {
  const registers = [registry];
  new Gauge({
    name: "traderx_orders_open_total",
    help: "Open orders (NEW or PARTIALLY_FILLED).",
    registers,
    collect() {
      this.set(counts().open);
    },
  });
  new Gauge({
    name: "traderx_orders_unfilled_total",
    help: "Open orders with remaining quantity.",
    registers,
    collect() {
      this.set(counts().unfilled);
    },
  });
  new Gauge({
    name: "traderx_orders_pending_by_side",
    help: "Open orders per side.",
    labelNames: ["side"],
    registers,
    collect() {
      for (const side of SIDES) this.set({ side }, counts().openBySide[side]);
    },
  });
  const events = new Counter({
    name: "traderx_order_events_total",
    help: "Order events by type.",
    labelNames: ["event"],
    registers,
  });
  for (const event of ORDER_EVENTS) events.inc({ event }, 0);
  return {
    events,
    ticks: new Counter({
      name: "traderx_order_matcher_ticks_total",
      help: "Scheduled matcher ticks.",
      registers,
    }),
    autoFillAttempts: new Counter({
      name: "traderx_order_autofill_attempts_total",
      help: "Automatic fill attempts.",
      registers,
    }),
    autoFillSuccess: new Counter({
      name: "traderx_order_autofill_success_total",
      help: "Automatic fills that trade-service accepted.",
      registers,
    }),
    tradeSubmitFailures: new Counter({
      name: "traderx_order_trade_submit_failures_total",
      help: "Fill submissions (automatic or forced) that trade-service did not accept.",
      registers,
    }),
    matchLatency: new Histogram({
      name: "traderx_order_match_latency_seconds",
      help: "Seconds from a matching trigger until every fill it started has settled.",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
  };
}

/** The current value of an unlabelled counter, for `/health`. */
export async function counterValue(counter: Counter): Promise<number> {
  return (await counter.get()).values.reduce((sum, sample) => sum + sample.value, 0);
}
