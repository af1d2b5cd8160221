import { expect } from "chai";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { TRADE_ORDER_STREAM } from "@traderx/service-lib";
import { waitFor, type TestNats } from "@traderx/service-lib/testing";
import type { TraderxTestDatabase } from "@traderx/database-migrations/testing";
import type { TradeOrder } from "../src/booking.js";
import { CONSUMER_NAME } from "../src/app.js";
import { publishOrders, startBacking, startProcessorProcess, type Backing } from "./support.js";

describe("trade-processor resilience", function () {
  this.timeout(120_000);
  let database: TraderxTestDatabase;
  let nats: TestNats;
  let observer: NatsConnection;
  let owner: pg.Client;

  let backing: Backing;

  before(async () => {
    backing = await startBacking();
    ({ database, nats, observer, owner } = backing);
  });
  after(() => backing?.remove());

  const count = async (sql: string, params: unknown[] = []) =>
    (await owner.query(sql, params)).rows[0].n as number;

  it("books each of 1,000 trades exactly once when SIGKILLed in the middle of the burst", async () => {
    const settings = { natsUrl: nats.url, database: database.asRole("trade_processor") };
    let { processor } = await startProcessorProcess(settings);
    // Quantities 1..1000 make every trade distinct and the expected position a known sum.
    const orders: TradeOrder[] = Array.from({ length: 1000 }, (_, index) => ({
      accountId: 42422,
      security: "FIS",
      side: "Buy",
      quantity: index + 1,
      price: 75.2,
    }));
    const published = publishOrders(observer, orders);
    await waitFor(
      "the first bookings",
      async () => (await count("SELECT count(*)::int AS n FROM trades WHERE accountid = 42422")) >= 100,
    );
    processor.child.kill("SIGKILL");
    await processor.exited;
    const bookedAtKill = await count("SELECT count(*)::int AS n FROM trades WHERE accountid = 42422");
    expect(bookedAtKill, "killed before the burst was booked").to.be.below(1000);
    await published;

    ({ processor } = await startProcessorProcess(settings));
    try {
      await waitFor(
        "all 1,000 bookings",
        async () => (await count("SELECT count(*)::int AS n FROM trades WHERE accountid = 42422")) >= 1000,
        60_000,
      );
      const consumer = await (
        await jetstreamManager(observer)
      ).consumers.info(TRADE_ORDER_STREAM, CONSUMER_NAME);
      await waitFor("all acks", async () => {
        const info = await (
          await jetstreamManager(observer)
        ).consumers.info(TRADE_ORDER_STREAM, CONSUMER_NAME);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
      expect(consumer.num_pending).to.equal(0);
    } finally {
      await processor.stop();
    }
    const trades = await owner.query(
      "SELECT count(*)::int AS n, count(DISTINCT quantity)::int AS distinct_quantities, sum(quantity)::int AS total FROM trades WHERE accountid = 42422",
    );
    expect(trades.rows[0]).to.deep.equal({ n: 1000, distinct_quantities: 1000, total: 500500 });
    const position = await owner.query(
      "SELECT quantity, averagecostbasis FROM positions WHERE accountid = 42422 AND security = 'FIS'",
    );
    expect(position.rows[0]).to.deep.equal({ quantity: 500500, averagecostbasis: "75.200" });
    expect(
      await count(
        "SELECT count(*)::int AS n FROM booked_trade_messages m JOIN trades t ON t.id = m.tradeid WHERE t.accountid = 42422",
      ),
    ).to.equal(1000);
  });

  it("finishes every in-flight request when SIGTERMed, then exits 0", async () => {
    const { processor, base } = await startProcessorProcess({
      natsUrl: nats.url,
      database: database.asRole("trade_processor"),
    });
    // Hold every booking at the positions table, so the requests are certainly in flight at SIGTERM.
    // The lock needs its own session: statistics views are frozen inside a transaction.
    const locker = new pg.Client(database.postgres.config);
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE positions IN EXCLUSIVE MODE");
    const requests = Array.from({ length: 40 }, (_, index) =>
      fetch(`${base}/tradeservice/order`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          accountId: 11413,
          security: "COF",
          side: "Sell",
          quantity: index + 1,
          price: 150.3,
        }),
      }).then((response) => response.status),
    );
    await waitFor(
      "bookings waiting on the lock",
      async () =>
        (await count(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'trade_processor' AND wait_event_type = 'Lock'",
        )) >= 5,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    processor.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processor.child.exitCode, "still draining while requests are held").to.equal(null);
    await locker.query("COMMIT");
    await locker.end();
    const statuses = await Promise.all(requests);
    expect(statuses).to.deep.equal(Array(40).fill(200));
    expect(await processor.exited, processor.output()).to.equal(0);
    expect(await count("SELECT count(*)::int AS n FROM trades WHERE accountid = 11413")).to.equal(40);
  });
});
