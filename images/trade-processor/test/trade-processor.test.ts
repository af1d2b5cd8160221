import { expect } from "chai";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import {
  ensureTradeOrderStream,
  envelope,
  Service,
  TRADE_ORDER_STREAM,
  TRADE_ORDER_SUBJECT,
} from "@traderx/service-lib";
import { serverErrorsFor, waitFor, type TestNats } from "@traderx/service-lib/testing";
import type { TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { buildTradeProcessor } from "../src/app.js";
import { nextJson, publishOrders, startBacking, type Backing } from "./support.js";

describe("trade-processor", () => {
  let database: TraderxTestDatabase;
  let nats: TestNats;
  let service: Service;
  let observer: NatsConnection;
  let owner: pg.Client;
  let base: string;

  let backing: Backing;

  before(async () => {
    backing = await startBacking();
    ({ database, nats, observer, owner } = backing);
    service = new Service("trade-processor", { LOG_LEVEL: "silent" });
    const app = await buildTradeProcessor(service, {
      port: 0,
      natsAddress: nats.url,
      database: database.asRole("trade_processor"),
    });
    base = `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
    await waitFor("readiness", async () => (await fetch(`${base}/actuator/health/readiness`)).ok);
  });
  after(async () => {
    await service?.stop();
    await backing?.remove();
  });

  const tradeCount = async (accountId: number) =>
    (await owner.query("SELECT count(*)::int AS n FROM trades WHERE accountid = $1", [accountId])).rows[0]
      .n as number;

  it("books a TradeOrder from the stream and then publishes the Settled trade and the position", async () => {
    const trades = observer.subscribe("/accounts/44044/trades", { max: 1 });
    const positions = observer.subscribe("/accounts/44044/positions", { max: 1 });
    await observer.flush();
    await publishOrders(observer, [
      { accountId: 44044, security: "GS", side: "Buy", quantity: 11, price: 404.2 },
    ]);
    const trade = await nextJson<{
      topic: string;
      type: string;
      from: string;
      payload: Record<string, unknown>;
    }>(trades);
    expect(trade).to.include({ topic: "/accounts/44044/trades", type: "Trade", from: "trade-processor" });
    expect(trade.payload).to.include({
      accountId: 44044,
      security: "GS",
      side: "Buy",
      state: "Settled",
      quantity: 11,
      price: 404.2,
    });
    expect(trade.payload.created).to.be.a("number");
    expect(trade.payload.id).to.match(/^[0-9a-f-]{36}$/);
    const position = await nextJson<{ type: string; payload: Record<string, unknown> }>(positions);
    expect(position.type).to.equal("Position");
    expect(position.payload).to.include({
      accountId: 44044,
      security: "GS",
      quantity: 11,
      averageCostBasis: 404.2,
    });
    expect(position.payload.updated).to.be.a("number");
    // Published after commit: the trade is already in the database.
    const stored = await owner.query("SELECT state FROM trades WHERE id = $1", [trade.payload.id]);
    expect(stored.rows[0].state).to.equal("Settled");
  });

  it("ignores other envelope types, drops malformed orders and unknown accounts, and keeps going", async () => {
    const js = jetstream(observer);
    const before = await tradeCount(10031);
    await js.publish(
      TRADE_ORDER_SUBJECT,
      JSON.stringify(
        envelope(
          TRADE_ORDER_SUBJECT,
          { accountId: 10031, security: "IBM", side: "Buy", quantity: 1 },
          { from: "x", type: "Other" },
        ),
      ),
    );
    await js.publish(TRADE_ORDER_SUBJECT, "not json at all");
    await publishOrders(observer, [
      { accountId: 10031, security: "IBM", side: "Buy", quantity: -4 } as never,
      { accountId: 123, security: "IBM", side: "Buy", quantity: 4, price: 1 },
      { accountId: 10031, security: "IBM", side: "Buy", quantity: 4, price: 187.4 },
    ]);
    await waitFor("the valid order", async () => (await tradeCount(10031)) === before + 1);
    expect(await tradeCount(123)).to.equal(0);
    const metrics = await (await fetch(`${base}/actuator/prometheus`)).text();
    expect(metrics).to.match(/traderx_trade_orders_processed_total\{[^}]*outcome="ignored"[^}]*\} 2/);
    expect(metrics).to.match(/traderx_trade_orders_processed_total\{[^}]*outcome="rejected"[^}]*\} 2/);
  });

  it("books synchronously on POST /tradeservice/order", async () => {
    const response = await fetch(`${base}/tradeservice/order`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accountId: 52355, security: "BAC", side: "Buy", quantity: 400, price: 41.7 }),
    });
    expect(response.status).to.equal(200);
    const body = (await response.json()) as {
      trade: Record<string, unknown>;
      position: Record<string, unknown>;
    };
    expect(body.trade).to.include({
      accountId: 52355,
      security: "BAC",
      side: "Buy",
      state: "Settled",
      quantity: 400,
      price: 41.7,
    });
    expect(body.trade.created).to.match(/\+00:00$/);
    // BAC −2400 @ 41.125 + Buy 400 @ 41.7 → (−98700 + 16680) / −2000 = 41.010
    expect(body.position).to.include({
      accountId: 52355,
      security: "BAC",
      quantity: -2000,
      averageCostBasis: 41.01,
    });
    const unknown = await fetch(`${base}/tradeservice/order`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accountId: 5, security: "BAC", side: "Buy", quantity: 1 }),
    });
    expect(unknown.status).to.equal(404);
    expect(await unknown.json()).to.have.property("error");
  });

  it("reports publisher and subscriber on /system/health and /health, and in its metrics", async () => {
    for (const path of ["/system/health", "/health"]) {
      const health = (await (await fetch(`${base}${path}`)).json()) as {
        status: string;
        messageBus: Record<string, Record<string, unknown>>;
      };
      expect(health).to.include({ status: "ok", service: "trade-processor" });
      expect(health.messageBus.publisher).to.include({
        status: "connected",
        clientId: "trade-processor",
        address: nats.url,
      });
      expect(health.messageBus.subscriber).to.include({
        status: "connected",
        clientId: "trade-processor-subscriber",
      });
    }
    const metrics = await (await fetch(`${base}/actuator/prometheus`)).text();
    expect(metrics).to.contain('traderx_messagebus_connected{component="trade-processor",role="publisher"');
    expect(metrics).to.contain('traderx_messagebus_connected{component="trade-processor",role="subscriber"');
    expect(metrics).to.contain("http_server_requests_seconds_count");
    expect((await fetch(`${base}/v3/api-docs`)).status).to.equal(200);
  });

  it("recreates its stream consumer when the broker lost the stream, and books without double-booking", async () => {
    const manager = await jetstreamManager(observer);
    const bookedBefore = await tradeCount(10031);
    await manager.streams.delete(TRADE_ORDER_STREAM);
    // What trade-service does on its next publish: the stream is back, empty; the consumer is not.
    await ensureTradeOrderStream(observer);
    await publishOrders(observer, [
      { accountId: 10031, security: "NVDA", side: "Sell", quantity: 9, price: 910.8 },
    ]);
    await waitFor(
      "the order booked by a recreated consumer",
      async () => (await tradeCount(10031)) === bookedBefore + 1,
      20_000,
    );
  });

  it("answers generated bad input without a 5xx", async () => {
    const failures = await serverErrorsFor(base, [
      {
        method: "POST",
        path: "/tradeservice/order",
        body: { accountId: 22214, security: "IBM", side: "Buy", quantity: 1, price: 1 },
      },
    ]);
    expect(failures).to.deep.equal([]);
    expect((await fetch(`${base}/health`)).status).to.equal(200);
  });
});
