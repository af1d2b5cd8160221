/** Shared set-up of the trade-processor tests: publishing orders, reading subjects, running the process. */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import pg from "pg";
import { envelope, TRADE_ORDER_SUBJECT, type DatabaseConfig } from "@traderx/service-lib";
import { freePort, startNats, startProcess, waitFor, type TestNats } from "@traderx/service-lib/testing";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import type { TradeOrder } from "../src/booking.js";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/**
 * What the tests run against: PostgreSQL with the TraderX schema and nats-server, each throw-away, plus a
 * NATS connection that watches subjects and an owner connection that reads the tables.
 */
export interface Backing {
  database: TraderxTestDatabase;
  nats: TestNats;
  observer: NatsConnection;
  owner: pg.Client;
  remove(): Promise<void>;
}

export async function startBacking(): Promise<Backing> {
  const [database, nats] = await Promise.all([startTraderxDatabase(), startNats()]);
  const observer = await connect({ servers: nats.url });
  const owner = new pg.Client(database.postgres.config);
  await owner.connect();
  return {
    database,
    nats,
    observer,
    owner,
    remove: async () => {
      await owner.end();
      await observer.close();
      await Promise.all([database.remove(), nats.remove()]);
    },
  };
}

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
