/**
 * Trade pipeline benchmark against real PostgreSQL, nats-server and the real peers.
 *
 * 1. Full pipeline: market trades posted to trade-service until their Settled event arrives on
 *    /accounts/<id>/trades (trade-service → JetStream → trade-processor → PostgreSQL → NATS).
 * 2. Durable half only: the same orders published straight into the /trades stream (with acks), timed
 *    to the Settled event, which isolates trade-processor's capacity.
 *
 * Baselines measured in the same run on the same PostgreSQL: the raw insert rate (one trade row per
 * committed transaction, one connection) and the booking transaction alone (the processor's database
 * work per trade, called directly in a loop).
 */
import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { createLogger, Database } from "@traderx/service-lib";
import { startNats } from "@traderx/service-lib/testing";
import { startTraderxDatabase } from "@traderx/database-migrations/testing";
import { startTradeIntake } from "@traderx/trade-service/testing";
import { bookOrder, type TradeOrder } from "../src/booking.js";
import { publishOrders, startProcessorProcess } from "../test/support.js";

const TRADES = Number(process.env.BENCH_TRADES ?? 2000);
const SUBMITTERS = Number(process.env.BENCH_SUBMITTERS ?? 16);
const BASELINE_ROWS = 2000;
const ACCOUNTS = [10031, 22214, 44044, 62654];
const SECURITIES = ["IBM", "MSFT", "AAPL", "JPM", "GS"];

/** The order with a given unique quantity; the quantity identifies its Settled event. */
function orderFor(quantity: number): TradeOrder {
  return {
    accountId: ACCOUNTS[quantity % ACCOUNTS.length],
    security: SECURITIES[quantity % SECURITIES.length],
    side: quantity % 3 === 0 ? "Sell" : "Buy",
    quantity,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Settlement {
  tradesPerSecond: number;
  submittedPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Submits orders with quantities `first`..`first + TRADES - 1` from SUBMITTERS concurrent loops and times
 * each from its submission to its Settled event.
 */
async function measureSettlement(
  observer: NatsConnection,
  first: number,
  submit: (quantity: number) => Promise<void>,
): Promise<Settlement> {
  const submittedAt = new Map<number, number>();
  const latencies: number[] = [];
  let lastSettled = 0;
  let settle!: () => void;
  const allSettled = new Promise<void>((resolve) => (settle = resolve));
  // Subjects like /accounts/22214/trades are one token, so a wildcard cannot cover them.
  const subscriptions = ACCOUNTS.map((account) => observer.subscribe(`/accounts/${account}/trades`));
  for (const subscription of subscriptions) {
    void (async () => {
      for await (const message of subscription) {
        const { payload } = message.json<{ payload: { quantity: number; state: string } }>();
        const started = submittedAt.get(payload.quantity);
        if (started === undefined || payload.state !== "Settled") continue;
        lastSettled = performance.now();
        latencies.push(lastSettled - started);
        if (latencies.length === TRADES) settle();
      }
    })();
  }
  await observer.flush();

  let next = first;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: SUBMITTERS }, async () => {
      while (next < first + TRADES) {
        const quantity = next++;
        submittedAt.set(quantity, performance.now());
        await submit(quantity);
      }
    }),
  );
  const submitted = (performance.now() - start) / 1000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    allSettled,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`only ${latencies.length} of ${TRADES} settled`)), 120_000);
    }),
  ]);
  clearTimeout(timer);
  for (const subscription of subscriptions) subscription.unsubscribe();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    tradesPerSecond: TRADES / ((lastSettled - start) / 1000),
    submittedPerSecond: TRADES / submitted,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

async function rawInsertRate(config: pg.ClientConfig): Promise<number> {
  const client = new pg.Client(config);
  await client.connect();
  const started = performance.now();
  for (let index = 0; index < BASELINE_ROWS; index++) {
    await client.query(
      `INSERT INTO trades (id, accountid, created, updated, security, side, quantity, price, state)
       VALUES ($1, 42422, now(), now(), 'DB', 'Buy', 1, 17.05, 'Settled')`,
      [randomUUID()],
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return BASELINE_ROWS / seconds;
}

async function bookingRate(database: Database): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < BASELINE_ROWS; index++) {
    const order: TradeOrder = { accountId: 11413, security: "DFS", side: "Buy", quantity: 1, price: 127.65 };
    await bookOrder(database, order, randomUUID());
  }
  return BASELINE_ROWS / ((performance.now() - started) / 1000);
}

function report(title: string, result: Settlement, submittedLabel: string) {
  console.log(title);
  console.log(`  throughput to Settled      ${result.tradesPerSecond.toFixed(0)} trades/s`);
  console.log(`  ${submittedLabel.padEnd(26)} ${result.submittedPerSecond.toFixed(0)} trades/s`);
  console.log(
    `  latency to Settled         p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`,
  );
}

async function main() {
  const [database, nats] = await Promise.all([startTraderxDatabase(), startNats()]);
  const intake = await startTradeIntake(database, nats.url);
  // Its own process, as deployed: it does not share an event loop with trade-service and the peers here.
  const { processor } = await startProcessorProcess({
    natsUrl: nats.url,
    database: database.asRole("trade_processor"),
  });
  const observer = await connect({ servers: nats.url });
  try {
    const rawRate = await rawInsertRate(database.postgres.config);
    const bookingDb = new Database(
      database.asRole("trade_processor"),
      createLogger("bench", { LOG_LEVEL: "silent" }),
    );
    const bookRate = await bookingRate(bookingDb);
    await bookingDb.close();

    const full = await measureSettlement(observer, 1, async (quantity) => {
      const { accountId, security, side } = orderFor(quantity);
      const response = await fetch(`${intake.tradeServiceUrl}/trade/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountId, security, side, quantity }),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`submission answered ${response.status}`);
    });
    const durable = await measureSettlement(observer, TRADES + 1, async (quantity) => {
      await publishOrders(observer, [{ ...orderFor(quantity), price: 100 }]);
    });

    console.log(`trade pipeline: ${TRADES} trades per phase, ${SUBMITTERS} concurrent submitters`);
    report("full pipeline (POST /trade/ -> Settled event)", full, "trade-service accepted");
    report("durable half (JetStream publish with ack -> Settled event)", durable, "stream acked");
    console.log(`baselines, same run, same PostgreSQL (fsync off for all):`);
    console.log(`  raw insert, 1 row per commit, 1 connection  ${rawRate.toFixed(0)} rows/s`);
    console.log(`  booking transaction alone (bookOrder)       ${bookRate.toFixed(0)} trades/s`);
    console.log(
      `ratios to raw insert: full ${(full.tradesPerSecond / rawRate).toFixed(2)}, durable half ${(durable.tradesPerSecond / rawRate).toFixed(2)}, booking alone ${(bookRate / rawRate).toFixed(2)}`,
    );
  } finally {
    await observer.close();
    await processor.stop();
    await intake.stop();
    await Promise.all([database.remove(), nats.remove()]);
  }
}

await main();
