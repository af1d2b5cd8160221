/**
 * order-matcher against a real PostgreSQL (migrated, connecting as the order_matcher role) and a real
 * nats-server. trade-service, account-service and reference-data are one local HTTP server that answers
 * like them and records every trade submitted.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { Service } from "@traderx/service-lib";
import { serverErrorsFor, startNats, waitFor, type TestNats } from "@traderx/service-lib/testing";
import { startOrderMatcher } from "../src/app.js";
import { readConfig } from "../src/config.js";

interface OrderJson {
  orderId: string;
  accountId: number;
  security: string;
  side: string;
  quantity: number;
  remainingQuantity: number;
  limitPrice: number;
  status: string;
  createdAt: string;
  updatedAt: string;
  lastExecutionPrice: number | null;
  lastFillQuantity: number | null;
  marketPrice: number | null;
}
interface Trade {
  security: string;
  quantity: number;
  accountId: number;
  side: string;
}
interface BusMessage {
  subject: string;
  topic: string;
  type: string;
  from: string;
  date: string;
  payload: OrderJson;
}

const KNOWN_ACCOUNTS = new Set(["22214", "44044", "10031", "52355", "62654"]);
const KNOWN_TICKERS = new Set(["IBM", "MSFT", "JPM", "GS", "NVDA", "C", "META", "AAPL", "AMZN", "TSLA"]);

/** Answers like trade-service, account-service and reference-data; records trades as they arrive. */
class PeerServices {
  readonly trades: Trade[] = [];
  /** Per security: refuse trades (500), or answer after a delay in ms. */
  readonly behaviour = new Map<string, "refuse" | number>();
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      const [, resource, id] = (request.url ?? "").split("/");
      if (request.method === "GET" && resource === "account")
        return reply(KNOWN_ACCOUNTS.has(id) ? 200 : 404, {});
      if (request.method === "GET" && resource === "stocks")
        return reply(KNOWN_TICKERS.has(id) ? 200 : 404, {});
      let text = "";
      request.on("data", (chunk) => (text += chunk));
      request.on("end", () => {
        const trade = JSON.parse(text) as Trade;
        this.trades.push(trade);
        const behaviour = this.behaviour.get(trade.security);
        if (behaviour === "refuse") return reply(500, { error: "refused" });
        setTimeout(() => reply(200, { ...trade, id: null, state: null, price: 1 }), behaviour ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  tradesFor(security: string): Trade[] {
    return this.trades.filter((trade) => trade.security === security);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("order-matcher service", function () {
  let database: TraderxTestDatabase;
  let nats: TestNats;
  let bus: NatsConnection;
  const peers = new PeerServices();
  const messages: BusMessage[] = [];
  let service: Service;
  let baseUrl: string;

  async function startMatcher(env: Record<string, string> = {}, waitUntilReady = true): Promise<void> {
    const role = database.asRole("order_matcher");
    service = new Service("order-matcher", {
      LOG_LEVEL: "silent",
      NATS_ADDRESS: nats.url,
      DATABASE_PG_HOST: role.host,
      DATABASE_PG_PORT: String(role.port),
      DATABASE_NAME: role.database,
      DATABASE_DBUSER: role.user,
      DATABASE_DBPASS: role.password,
      TRADE_SERVICE_URL: `${peers.url}/trade/`,
      ACCOUNT_SERVICE_URL: peers.url,
      REFERENCE_DATA_URL: peers.url,
      // Scheduled ticks stay out of the way unless a test asks for them.
      ORDER_MATCHER_TICK_MS: "3600000",
      ...env,
    });
    const { app } = await startOrderMatcher(service, readConfig(service.env));
    baseUrl = `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
    if (waitUntilReady) {
      await waitFor("order-matcher ready", async () => (await readiness()) === 200);
    }
  }

  const readiness = async () => (await fetch(`${baseUrl}/actuator/health/readiness`)).status;

  async function call<Body = OrderJson>(method: string, path: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Body };
  }

  const health = async () =>
    (
      await call<{ status: string; matcher: { ticks: number }; messageBus: { status: string } }>(
        "GET",
        "/health",
      )
    ).body;

  const create = async (order: Record<string, unknown>) => {
    const created = await call("POST", "/orders", order);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body;
  };

  async function eventFor(
    subject: string,
    orderId: string,
    status: string,
    remaining?: number,
  ): Promise<BusMessage> {
    let found: BusMessage | undefined;
    await waitFor(`${status} event of ${orderId} on ${subject}`, async () => {
      found = messages.find(
        (m) =>
          m.subject === subject &&
          m.payload.orderId === orderId &&
          m.payload.status === status &&
          (remaining === undefined || m.payload.remainingQuantity === remaining),
      );
      return found !== undefined;
    });
    return found!;
  }

  const publishPrice = (ticker: string, price: number) =>
    bus.publish(
      `pricing.${ticker}`,
      JSON.stringify({
        topic: `pricing.${ticker}`,
        type: "PriceTick",
        from: "test",
        payload: { ticker, price },
      }),
    );

  before(async () => {
    [database, nats] = await Promise.all([startTraderxDatabase(), startNats(), peers.start()]);
    bus = await connect({ servers: nats.url });
    for (const subject of ["/orders", "/accounts/22214/orders", "/accounts/44044/orders"]) {
      bus.subscribe(subject, {
        callback: (_error, message) => {
          messages.push({ subject: message.subject, ...(message.json() as Omit<BusMessage, "subject">) });
        },
      });
    }
    await bus.flush();
    await startMatcher();
  });

  after(async () => {
    await service?.stop();
    await bus?.close();
    await Promise.all([database?.remove(), nats?.remove(), peers.stop()]);
  });

  it("seeds an empty book with the contract's orders and counts them", async () => {
    const all = await call<OrderJson[]>("GET", "/orders?status=all");
    expect(all.body.map((o) => o.orderId).sort()).to.deep.equal(
      [1, 2, 3, 4, 5, 6, 7].map((n) => `ord-013-000${n}`),
    );
    const msft = all.body.find((o) => o.orderId === "ord-013-0002")!;
    expect(msft).to.include({
      security: "MSFT",
      side: "Sell",
      quantity: 900,
      remainingQuantity: 650,
      limitPrice: 412,
    });
    expect(msft.status).to.equal("PARTIALLY_FILLED");
    expect((await call("GET", "/orders/ord-013-0004")).body.status).to.equal("FILLED");
    expect((await call("GET", "/orders")).body).to.have.length(6);
    expect((await call("GET", "/orders/open-count")).body).to.deep.equal({
      openOrders: 6,
      unfilledOrders: 6,
    });
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).to.match(/^traderx_order_events_total\{[^}]*event="create"[^}]*\} 7$/m);
    expect(metrics).to.match(/^traderx_order_events_total\{[^}]*event="fill"[^}]*\} 1$/m);
  });

  it("creates an order (201), publishes NEW on the account's subject and /orders, and lists it", async () => {
    const order = await create({
      accountId: 22214,
      security: " aapl ",
      side: "Buy",
      quantity: 77,
      limitPrice: 1.0004,
    });
    expect(order).to.include({
      orderId: "ord-013-0008",
      security: "AAPL",
      status: "NEW",
      remainingQuantity: 77,
    });
    expect(order).to.include({
      limitPrice: 1,
      lastExecutionPrice: null,
      lastFillQuantity: null,
      marketPrice: null,
    });
    expect(order.createdAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const event = await eventFor("/accounts/22214/orders", order.orderId, "NEW");
    expect(event).to.include({
      topic: "/accounts/22214/orders",
      type: "OrderResponse",
      from: "order-matcher",
    });
    expect(event.date).to.match(/\+00:00$/);
    expect(event.payload).to.not.have.any.keys("lastExecutionPrice", "lastFillQuantity", "marketPrice");
    await eventFor("/orders", order.orderId, "NEW");
    expect((await call("GET", `/orders/${order.orderId}`)).body).to.deep.equal(order);
    const open = await call<OrderJson[]>("GET", "/orders?status=open&accountId=22214");
    expect(open.body[0].orderId).to.equal(order.orderId);
    expect(
      (await call<OrderJson[]>("GET", "/orders?status=new&accountId=44044")).body.map((o) => o.accountId),
    ).to.deep.equal([44044]);
    expect((await call("GET", "/orders?status=bogus")).body).to.deep.equal([]);
  });

  it("answers bad input with 400 and an error, and unknown orders with 404", async () => {
    const valid = { accountId: 22214, security: "IBM", side: "Buy", quantity: 10, limitPrice: 1 };
    for (const body of [
      { ...valid, side: "Hold" },
      { ...valid, quantity: 0 },
      { ...valid, quantity: 1.5 },
      { ...valid, limitPrice: -1 },
      { ...valid, accountId: 0 },
      { ...valid, security: "  " },
      { accountId: 22214 },
    ]) {
      const response = await call<{ error: string }>("POST", "/orders", body);
      expect(response, JSON.stringify(body)).to.deep.include({ status: 400 });
      expect(response.body.error).to.equal("invalid order payload");
    }
    expect((await call("POST", "/orders", "{not json")).status).to.equal(400);
    expect((await call("POST", "/orders", { ...valid, accountId: 99999999 })).body).to.deep.equal({
      error: "unknown account 99999999",
    });
    expect((await call("POST", "/orders", { ...valid, security: "NO_SUCH" })).body).to.deep.equal({
      error: "unknown security NO_SUCH",
    });
    expect((await call("GET", "/orders?accountId=abc")).status).to.equal(400);
    expect((await call("GET", "/orders/not%20an%20id")).status).to.equal(400);
    expect((await call("POST", `/orders/${"x".repeat(40)}/cancel`, {})).status).to.equal(400);
    for (const [method, path] of [
      ["GET", "/orders/ord-013-9999"],
      ["POST", "/orders/ord-013-9999/cancel"],
      ["POST", "/orders/ord-013-9999/force-fill"],
    ]) {
      expect(await call(method, path, method === "POST" ? {} : undefined)).to.deep.equal({
        status: 404,
        body: { error: "order not found" },
      });
    }
    const serverErrors = await serverErrorsFor(baseUrl, [
      { method: "POST", path: "/orders", body: valid },
      { method: "GET", path: "/orders", query: { status: "open", accountId: "22214" } },
      { method: "GET", path: "/orders/{id}" },
      { method: "POST", path: "/orders/{id}/cancel", body: {} },
    ]);
    expect(serverErrors).to.deep.equal([]);
  });

  it("fills 5000 → 2500 → 1250 → 625 → 0 over successive pricing ticks, one trade per step", async () => {
    const order = await create({
      accountId: 22214,
      security: "AMZN",
      side: "Buy",
      quantity: 5000,
      limitPrice: 99999,
    });
    const steps: [number, string][] = [
      [2500, "PARTIALLY_FILLED"],
      [1250, "PARTIALLY_FILLED"],
      [625, "PARTIALLY_FILLED"],
      [0, "FILLED"],
    ];
    for (const [index, [remaining, status]] of steps.entries()) {
      publishPrice("AMZN", 185 + index);
      const event = await eventFor("/orders", order.orderId, status, remaining);
      expect(event.payload).to.include({ lastExecutionPrice: 185 + index, marketPrice: 185 + index });
      await eventFor("/accounts/22214/orders", order.orderId, status, remaining);
    }
    expect(peers.tradesFor("AMZN")).to.deep.equal(
      [2500, 1250, 625, 625].map((quantity) => ({
        security: "AMZN",
        quantity,
        accountId: 22214,
        side: "Buy",
      })),
    );
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).to.match(/^traderx_order_autofill_success_total\{[^}]*\} [4-9]/m);
    expect(metrics).to.match(/^traderx_order_match_latency_seconds_count\{[^}]*\} [1-9]/m);
  });

  it("keeps an order open and unpublished when its trade is refused, and fills it on a later tick", async () => {
    peers.behaviour.set("TSLA", "refuse");
    const order = await create({
      accountId: 22214,
      security: "TSLA",
      side: "Sell",
      quantity: 40,
      limitPrice: 100,
    });
    publishPrice("TSLA", 170);
    await waitFor("refused TSLA trade", async () => peers.tradesFor("TSLA").length === 1);
    await waitFor(
      "updatedAt bumped",
      async () => (await call("GET", `/orders/${order.orderId}`)).body.updatedAt !== order.updatedAt,
    );
    expect((await call("GET", `/orders/${order.orderId}`)).body).to.include({
      status: "NEW",
      remainingQuantity: 40,
    });
    peers.behaviour.delete("TSLA");
    publishPrice("TSLA", 171);
    const filled = await eventFor("/orders", order.orderId, "FILLED");
    expect(
      messages.filter((m) => m.payload.orderId === order.orderId).map((m) => m.payload.status),
    ).to.deep.equal(["NEW", "NEW", "FILLED", "FILLED"]);
    expect(filled.payload.lastFillQuantity).to.equal(40);
  });

  it("keeps filling other securities while trade-service is slow for one", async () => {
    peers.behaviour.set("GS", 2_000);
    const slow = await create({
      accountId: 44044,
      security: "GS",
      side: "Buy",
      quantity: 10,
      limitPrice: 99999,
    });
    const fast = await create({
      accountId: 44044,
      security: "NVDA",
      side: "Buy",
      quantity: 10,
      limitPrice: 99999,
    });
    publishPrice("GS", 400);
    await waitFor("GS trade submitted", async () => peers.tradesFor("GS").length === 1);
    publishPrice("NVDA", 900);
    await eventFor("/orders", fast.orderId, "FILLED");
    expect((await call("GET", `/orders/${slow.orderId}`)).body.status).to.equal("NEW");
    await eventFor("/orders", slow.orderId, "FILLED");
    peers.behaviour.delete("GS");
  });

  it("lets a cancel wait for the fill in flight on the same order", async () => {
    peers.behaviour.set("MSFT", 1_000);
    const order = await create({
      accountId: 22214,
      security: "MSFT",
      side: "Buy",
      quantity: 5000,
      limitPrice: 99999,
    });
    publishPrice("MSFT", 430);
    // The MSFT seed order (Sell at 412) trades too; this test follows the Buy.
    const buys = () => peers.tradesFor("MSFT").filter((trade) => trade.side === "Buy");
    await waitFor("MSFT trade submitted", async () => buys().length === 1);
    const canceled = await call("POST", `/orders/${order.orderId}/cancel`, {});
    expect(canceled.body).to.include({ status: "CANCELED", remainingQuantity: 0, lastFillQuantity: 2500 });
    const events = messages.filter((m) => m.subject === "/orders" && m.payload.orderId === order.orderId);
    expect(events.map((m) => m.payload.status)).to.deep.equal(["NEW", "PARTIALLY_FILLED", "CANCELED"]);
    expect(buys()).to.have.length(1);
    peers.behaviour.delete("MSFT");
  });

  it("cancels an open order and publishes CANCELED on both subjects; a second cancel changes nothing", async () => {
    const order = await create({
      accountId: 22214,
      security: "IBM",
      side: "Buy",
      quantity: 33,
      limitPrice: 1,
    });
    const canceled = await call("POST", `/orders/${order.orderId}/cancel`, {});
    expect(canceled.status).to.equal(200);
    expect(canceled.body).to.include({ status: "CANCELED", remainingQuantity: 0 });
    await eventFor("/accounts/22214/orders", order.orderId, "CANCELED");
    await eventFor("/orders", order.orderId, "CANCELED");
    // Any body is ignored: an empty one labelled JSON, or none at all.
    const again = await fetch(`${baseUrl}/orders/${order.orderId}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect(again.status).to.equal(200);
    expect(await again.json()).to.deep.equal(canceled.body);
    expect(
      (await fetch(`${baseUrl}/orders/${order.orderId}/force-fill`, { method: "POST" })).status,
    ).to.equal(200);
    expect((await call("GET", "/orders?status=open&accountId=22214")).body).to.not.deep.include(
      canceled.body,
    );
  });

  it("force-fills through one trade and publishes FILLED; a refused force-fill is a 502 that changes nothing", async () => {
    const order = await create({
      accountId: 44044,
      security: "JPM",
      side: "Sell",
      quantity: 11,
      limitPrice: 191.875,
    });
    const filled = await call("POST", `/orders/${order.orderId}/force-fill`, {});
    expect(filled.body).to.include({
      status: "FILLED",
      remainingQuantity: 0,
      lastFillQuantity: 11,
      lastExecutionPrice: 191.875,
    });
    expect(peers.tradesFor("JPM")).to.deep.equal([
      { security: "JPM", quantity: 11, accountId: 44044, side: "Sell" },
    ]);
    await eventFor("/accounts/44044/orders", order.orderId, "FILLED");
    await eventFor("/orders", order.orderId, "FILLED");

    peers.behaviour.set("C", "refuse");
    const refused = await create({
      accountId: 22214,
      security: "C",
      side: "Sell",
      quantity: 5,
      limitPrice: 1000,
    });
    expect(await call("POST", `/orders/${refused.orderId}/force-fill`, {})).to.deep.equal({
      status: 502,
      body: { error: "failed to submit trade for force-fill" },
    });
    expect((await call("GET", `/orders/${refused.orderId}`)).body).to.deep.equal(refused);
    peers.behaviour.delete("C");
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).to.match(/^traderx_order_events_total\{[^}]*event="force_fill"[^}]*\} 1$/m);
    expect(metrics).to.match(/^traderx_order_trade_submit_failures_total\{[^}]*\} [2-9]/m);
  });

  it("reports health on /health, /healthz and /system/health, and the contract metrics", async () => {
    for (const path of ["/health", "/healthz", "/system/health"]) {
      const { status, body } = await call<Record<string, unknown>>("GET", path);
      expect(status).to.equal(200);
      expect(body).to.include({
        status: "ok",
        service: "traderx-order-matcher",
        tradeServiceUrl: `${peers.url}/trade/`,
      });
      expect(body.matcher).to.include({ tickMs: 3600000, ticks: 0, lastTickAt: null });
      expect(body.messageBus).to.deep.include({
        status: "connected",
        clientId: "order-matcher",
        address: nats.url,
      });
    }
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    for (const series of [
      "traderx_orders_open_total",
      "traderx_orders_unfilled_total",
      'traderx_orders_pending_by_side{side="Buy"',
      'traderx_orders_pending_by_side{side="Sell"',
      ...["create", "partial_fill", "fill", "cancel", "reject", "force_fill"].map(
        (e) => `traderx_order_events_total{event="${e}"`,
      ),
      "traderx_order_matcher_ticks_total",
      "traderx_order_autofill_attempts_total",
      'traderx_order_match_latency_seconds_bucket{le="0.01"',
      'traderx_messagebus_connected{component="order-matcher",role="publisher"',
    ]) {
      expect(
        metrics.split("\n").some((line) => line.startsWith(series)),
        series,
      ).to.equal(true);
    }
    const actuator = await (await fetch(`${baseUrl}/actuator/prometheus`)).text();
    expect(actuator).to.match(/^http_server_requests_seconds_count\{/m);
    expect(Object.keys((await call<{ paths: object }>("GET", "/v3/api-docs")).body.paths)).to.include(
      "/orders/{orderId}/force-fill",
    );
  });

  it("stores a fill trade-service booked while the database was down, once it is back", async () => {
    peers.behaviour.set("AAPL", 1_000);
    const order = await create({
      accountId: 44044,
      security: "AAPL",
      side: "Sell",
      quantity: 20,
      limitPrice: 1,
    });
    publishPrice("AAPL", 190);
    await waitFor("AAPL trade submitted", async () => peers.tradesFor("AAPL").length === 1);
    await database.postgres.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(
      messages.some((m) => m.payload.orderId === order.orderId && m.payload.status === "FILLED"),
    ).to.equal(false);
    await database.postgres.restart();
    await eventFor("/orders", order.orderId, "FILLED");
    expect((await call("GET", `/orders/${order.orderId}`)).body).to.include({
      status: "FILLED",
      remainingQuantity: 0,
    });
    expect(peers.tradesFor("AAPL")).to.have.length(1);
    peers.behaviour.delete("AAPL");
  });

  it("restarts before its database, then brings open orders back and fills nothing until a pricing tick", async () => {
    const order = await create({
      accountId: 22214,
      security: "META",
      side: "Sell",
      quantity: 10,
      limitPrice: 1,
    });
    const openBefore = (await call("GET", "/orders/open-count")).body;
    await service.stop();
    const tradesBefore = peers.trades.length;
    await database.postgres.stop();
    await startMatcher({ ORDER_MATCHER_TICK_MS: "50" }, false);
    await waitFor("health ok without a database", async () => (await health()).status === "ok");
    expect(await readiness()).to.equal(503);
    expect(await call("GET", "/orders")).to.deep.equal({
      status: 503,
      body: { error: "the order book is still loading; retry shortly" },
    });
    await database.postgres.restart();
    await waitFor("order-matcher ready", async () => (await readiness()) === 200);
    expect((await call("GET", "/orders/open-count")).body).to.deep.equal(openBefore);
    expect((await call("GET", `/orders/${order.orderId}`)).body).to.deep.equal(order);
    await waitFor("a few scheduled ticks", async () => (await health()).matcher.ticks >= 5);
    expect(peers.trades.length).to.equal(tradesBefore);
    const next = await create({ accountId: 22214, security: "IBM", side: "Buy", quantity: 1, limitPrice: 1 });
    expect(Number(next.orderId.slice(8))).to.be.greaterThan(Number(order.orderId.slice(8)));
    publishPrice("META", 505);
    await eventFor("/orders", order.orderId, "FILLED");
    expect(peers.tradesFor("META").at(-1)).to.deep.equal({
      security: "META",
      quantity: 10,
      accountId: 22214,
      side: "Sell",
    });
  });
});
