/** Shared set-up of the trade-processor tests: publishing orders, reading subjects, running the process. */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { envelope, TRADE_ORDER_SUBJECT, type DatabaseConfig } from "@traderx/service-lib";
import { freePort, startProcess, waitFor } from "@traderx/service-lib/testing";
import type { TradeOrder } from "../src/booking.js";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

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

/** The next message on a subscription, or a rejection after `timeoutMs`. */
export async function nextMessage(subscription: Subscription, timeoutMs = 10_000): Promise<Msg> {
  const timer = setTimeout(() => subscription.unsubscribe(), timeoutMs);
  for await (const message of subscription) {
    clearTimeout(timer);
    return message;
  }
  throw new Error(`no message on ${subscription.getSubject()} within ${timeoutMs} ms`);
}

/** The next message on a subscription, parsed. */
export async function nextJson<T>(subscription: Subscription, timeoutMs = 10_000): Promise<T> {
  return (await nextMessage(subscription, timeoutMs)).json<T>();
}

/** trade-processor as its own process, from source, as the SIGKILL and SIGTERM tests need. */
export async function startProcessorProcess(settings: { natsUrl: string; database: DatabaseConfig }) {
  const port = await freePort();
  const processor = startProcess(process.execPath, ["--import", "tsx", "--conditions=source", MAIN], {
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      TRADE_PROCESSOR_SERVICE_PORT: String(port),
      NATS_ADDRESS: settings.natsUrl,
      DATABASE_PG_HOST: settings.database.host,
      DATABASE_PG_PORT: String(settings.database.port),
      DATABASE_NAME: settings.database.database,
      DATABASE_DBUSER: settings.database.user,
      DATABASE_DBPASS: settings.database.password,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor("trade-processor readiness", async () => {
    if (processor.child.exitCode !== null) throw new Error(`trade-processor exited:\n${processor.output()}`);
    return (await fetch(`${base}/actuator/health/readiness`)).ok;
  });
  return { processor, base };
}
