/**
 * Trade pipeline benchmark: market trades submitted to trade-service over HTTP until their Settled
 * event arrives on /accounts/<id>/trades (trade-service → JetStream → trade-processor → PostgreSQL →
 * NATS), against real PostgreSQL, nats-server and the real peers.
 *
 * Baselines measured in the same run on the same PostgreSQL: the raw insert rate (one trade row per
 * committed transaction, as fast as one connection can go) and the booking transaction alone (the
 * processor's database work per trade, called directly).
 */
import { randomUUID } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { createLogger, Database } from "@traderx/service-lib";
import { startNats } from "@traderx/service-lib/testing";
import { startTraderxDatabase } from "@traderx/database-migrations/testing";
import { startTradeIntake } from "@traderx/trade-service/testing";
import { bookOrder } from "../src/booking.js";
import { startProcessorProcess } from "../test/support.js";

const TRADES = Number(process.env.BENCH_TRADES ?? 2000);
const SUBMITTERS = Number(process.env.BENCH_SUBMITTERS ?? 16);
const BASELINE_ROWS = 2000;
const ACCOUNTS = [10031, 22214, 44044, 62654];
const SECURITIES = ["IBM", "MSFT", "AAPL", "JPM", "GS"];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function rawInsertRate(config: pg.ClientConfig): Promise<number> {
  const client = new pg.Client(config);
  await client.connect();
  const started = performance.now();
  for (let index = 0; index < BASELINE_ROWS; index++) {
    await client.query(
      "INSERT INTO trades (id, accountid, created, updated, security, side, quantity, price, state) VALUES ($1, 42422, now(), now(), 'DB', 'Buy', 1, 17.05, 'Settled')",
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
    await bookOrder(
      database,
      { accountId: 11413, security: "DFS", side: "Buy", quantity: 1, price: 127.65 },
      randomUUID(),
    );
  }
  return BASELINE_ROWS / ((performance.now() - started) / 1000);
}

async function main() {
  const [database, nats] = await Promise.all([startTraderxDatabase(), startNats()]);
  const quiet = createLogger("bench", { LOG_LEVEL: "silent" });
  const intake = await startTradeIntake(database, nats.url);
  // Its own process, as deployed: it does not share an event loop with trade-service and the peers here.
  const { processor } = await startProcessorProcess({
    natsUrl: nats.url,
    database: database.asRole("trade_processor"),
  });
  const observer = await connect({ servers: nats.url });
  try {
    const rawRate = await rawInsertRate(database.postgres.config);
    const bookingDb = new Database(database.asRole("trade_processor"), quiet);
    const bookRate = await bookingRate(bookingDb);
    await bookingDb.close();

    // Each trade gets a unique quantity, which identifies its Settled event.
    const submittedAt = new Map<number, number>();
    const latencies: number[] = [];
    let lastSettled = 0;
    let settle!: () => void;
    const allSettled = new Promise<void>((resolve) => (settle = resolve));
    // Subjects like /accounts/22214/trades are one token, so a wildcard cannot cover them.
    const subscriptions = ACCOUNTS.map((account) => observer.subscribe(`/accounts/${account}/trades`));
    const onSettled = async (subscription: (typeof subscriptions)[number]) => {
      for await (const message of subscription) {
        const { payload } = message.json<{ payload: { quantity: number; state: string } }>();
        const started = submittedAt.get(payload.quantity);
        if (started === undefined || payload.state !== "Settled") continue;
        lastSettled = performance.now();
        latencies.push(lastSettled - started);
        if (latencies.length === TRADES) settle();
      }
    };
    for (const subscription of subscriptions) void onSettled(subscription);
    await observer.flush();

    let next = 0;
    const failures: number[] = [];
    const firstSubmit = performance.now();
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next < TRADES) {
          const index = next++;
          const quantity = index + 1;
          submittedAt.set(quantity, performance.now());
          const response = await fetch(`${intake.tradeServiceUrl}/trade/`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              accountId: ACCOUNTS[index % ACCOUNTS.length],
              security: SECURITIES[index % SECURITIES.length],
              side: index % 3 === 0 ? "Sell" : "Buy",
              quantity,
            }),
          });
          await response.arrayBuffer();
          if (response.status !== 200) failures.push(response.status);
        }
      }),
    );
    const acceptedIn = (performance.now() - firstSubmit) / 1000;
    if (failures.length > 0)
      throw new Error(`${failures.length} submissions failed: ${failures.slice(0, 5).join(", ")}`);
    await Promise.race([
      allSettled,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`only ${latencies.length} of ${TRADES} settled`)), 60_000),
      ),
    ]);
    const seconds = (lastSettled - firstSubmit) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const pipelineRate = TRADES / seconds;

    console.log(
      `trade pipeline: ${TRADES} market trades, ${SUBMITTERS} concurrent submitters, submit -> Settled event`,
    );
    console.log(`  pipeline throughput        ${pipelineRate.toFixed(0)} trades/s (${seconds.toFixed(2)} s)`);
    console.log(
      `  trade-service acceptance   ${(TRADES / acceptedIn).toFixed(0)} trades/s (HTTP 200 after the JetStream ack)`,
    );
    console.log(
      `  latency submit -> Settled  p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`,
    );
    console.log(`baselines, same run, same PostgreSQL:`);
    console.log(`  raw insert, 1 row per commit, 1 connection  ${rawRate.toFixed(0)} rows/s`);
    console.log(`  booking transaction alone (bookOrder)       ${bookRate.toFixed(0)} trades/s`);
    console.log(
      `ratios: pipeline / raw insert ${(pipelineRate / rawRate).toFixed(2)}, pipeline / booking alone ${(pipelineRate / bookRate).toFixed(2)}`,
    );
    for (const subscription of subscriptions) subscription.unsubscribe();
  } finally {
    await observer.close();
    await processor.stop();
    await intake.stop();
    await Promise.all([database.remove(), nats.remove()]);
  }
}

await main();
