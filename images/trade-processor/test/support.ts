/** Shared set-up of the trade-processor tests: a NATS observer and order publishing into /trades. */
import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { envelope, TRADE_ORDER_SUBJECT } from "@traderx/service-lib";
import type { TradeOrder } from "../src/booking.js";

/** Publishes orders into the stream as trade-service does, awaiting each ack; returns the message ids. */
export async function publishOrders(nc: NatsConnection, orders: TradeOrder[]): Promise<string[]> {
  const js = jetstream(nc);
  const ids = orders.map(() => randomUUID());
  await Promise.all(
    orders.map((order, index) =>
      js.publish(
        TRADE_ORDER_SUBJECT,
        JSON.stringify(envelope(TRADE_ORDER_SUBJECT, order, { from: "trade-service", type: "TradeOrder" })),
        { msgID: ids[index] },
      ),
    ),
  );
  return ids;
}

/** The next message on a subscription, parsed, or a rejection after `timeoutMs`. */
export async function nextJson<T>(subscription: Subscription, timeoutMs = 10_000): Promise<T> {
  const timer = setTimeout(() => subscription.unsubscribe(), timeoutMs);
  for await (const message of subscription) {
    clearTimeout(timer);
    return message.json<T>();
  }
  throw new Error(`no message on ${subscription.getSubject()} within ${timeoutMs} ms`);
}
