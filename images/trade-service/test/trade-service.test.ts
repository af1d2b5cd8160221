import { expect } from "chai";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { TRADE_ORDER_STREAM } from "@traderx/service-lib";
import { serverErrorsFor, startNats, waitFor, type TestNats } from "@traderx/service-lib/testing";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { startTradeIntake, type TradeIntake } from "../testing/intake.js";

describe("trade-service", () => {
  let database: TraderxTestDatabase;
  let nats: TestNats;
  let intake: TradeIntake;
  let observer: NatsConnection;
  let base: string;

  before(async () => {
    [database, nats] = await Promise.all([startTraderxDatabase(), startNats()]);
    intake = await startTradeIntake(database, nats.url);
    base = intake.tradeServiceUrl;
    observer = await connect({ servers: nats.url });
  });
  after(async () => {
    await observer?.close();
    await intake?.stop();
    await Promise.all([database?.remove(), nats?.remove()]);
  });

  const submit = (body: unknown, path = "/trade/") =>
    fetch(`${base}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });

  it("accepts a ticket, stamps the current price and publishes a TradeOrder to /trades", async () => {
    const subscription = observer.subscribe("/trades", { max: 1 });
    await observer.flush();
    const response = await submit({ accountId: 22214, security: "IBM", side: "Buy", quantity: 4321 });
    expect(response.status).to.equal(200);
    const accepted = (await response.json()) as Record<string, unknown>;
    expect(accepted).to.deep.include({
      id: null,
      state: null,
      security: "IBM",
      quantity: 4321,
      accountId: 22214,
      side: "Buy",
    });
    expect(accepted.price).to.be.a("number").above(0);
    const quote = (await (await fetch(`${intake.priceServiceUrl}/prices/IBM`)).json()) as { price: number };
    expect(Math.abs((accepted.price as number) - quote.price)).to.be.below(quote.price * 0.05);
    for await (const message of subscription) {
      const published = message.json<{
        topic: string;
        type: string;
        from: string;
        date: number;
        payload: object;
      }>();
      expect(published).to.include({ topic: "/trades", type: "TradeOrder", from: "trade-service" });
      expect(published.date).to.be.a("number");
      expect(published.payload).to.deep.equal({
        security: "IBM",
        quantity: 4321,
        price: accepted.price,
        accountId: 22214,
        side: "Buy",
      });
      expect(message.headers?.get("traceparent")).to.match(/^00-[0-9a-f]{32}-/);
    }
    const stream = await (await jetstreamManager(observer)).streams.info(TRADE_ORDER_STREAM);
    expect(stream.state.messages).to.be.at.least(1);
  });

  it("accepts accountID as an alias and echoes client id and state", async () => {
    const response = await submit(
      { accountID: 44044, security: "JPM", side: "Sell", quantity: 5, id: "mine", state: "New", price: 1 },
      "/trade",
    );
    expect(response.status).to.equal(200);
    const accepted = (await response.json()) as Record<string, unknown>;
    expect(accepted).to.include({ id: "mine", state: "New", accountId: 44044 });
    expect(accepted.price).not.to.equal(1);
  });

  it("answers an unknown ticker or account with a Spring-style 404", async () => {
    const ticker = await submit({
      accountId: 22214,
      security: "NO_SUCH_TICKER_123",
      side: "Buy",
      quantity: 1,
    });
    expect(ticker.status).to.equal(404);
    expect(await ticker.json()).to.include({ status: 404, error: "Not Found", path: "/trade/" });
    const account = await submit({ accountId: 99999999, security: "IBM", side: "Buy", quantity: 1 });
    expect(account.status).to.equal(404);
  });

  it("rejects a non-positive quantity, an unknown side and malformed JSON with a 400 JSON error", async () => {
    for (const body of [
      { accountId: 22214, security: "IBM", side: "Buy", quantity: 0 },
      { accountId: 22214, security: "IBM", side: "Buy", quantity: -5 },
      { accountId: 22214, security: "IBM", side: "Hold", quantity: 5 },
      { accountId: 22214, security: "IBM", side: "Buy" },
    ]) {
      const response = await submit(body);
      expect(response.status, JSON.stringify(body)).to.equal(400);
      expect(await response.json()).to.have.property("error");
    }
    const malformed = await fetch(`${base}/trade/`, {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).to.equal(400);
  });

  it("reports the message bus on /system/health and /health, and serves its documents", async () => {
    for (const path of ["/system/health", "/health"]) {
      const health = (await (await fetch(`${base}${path}`)).json()) as {
        status: string;
        messageBus: Record<string, unknown>;
      };
      expect(health).to.include({ status: "ok", service: "trade-service" });
      expect(health.messageBus).to.include({
        status: "connected",
        address: nats.url,
        clientId: "trade-service",
      });
      expect(health.messageBus.uptimeSeconds).to.be.a("number");
    }
    expect((await fetch(`${base}/v3/api-docs`)).status).to.equal(200);
    expect((await fetch(`${base}/`, { redirect: "manual" })).headers.get("location")).to.equal(
      "/v3/api-docs",
    );
    const metrics = await (await fetch(`${base}/actuator/prometheus`)).text();
    expect(metrics).to.contain('traderx_messagebus_connected{component="trade-service",role="publisher"');
    const preflight = await fetch(`${base}/trade/`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:8080", "access-control-request-method": "POST" },
    });
    expect(preflight.status).to.be.below(300);
    expect(preflight.headers.get("access-control-allow-origin")).to.be.oneOf(["*", "http://localhost:8080"]);
  });

  it("recreates a lost trade stream on the next ticket", async () => {
    await (await jetstreamManager(observer)).streams.delete(TRADE_ORDER_STREAM);
    const response = await submit({ accountId: 22214, security: "MS", side: "Sell", quantity: 3 });
    expect(response.status).to.equal(200);
    const stream = await (await jetstreamManager(observer)).streams.info(TRADE_ORDER_STREAM);
    expect(stream.state.messages).to.equal(1);
  });

  it("answers generated bad input without a 5xx", async () => {
    const failures = await serverErrorsFor(base, [
      {
        method: "POST",
        path: "/trade/",
        body: { accountId: 22214, security: "IBM", side: "Buy", quantity: 3 },
      },
    ]);
    expect(failures).to.deep.equal([]);
    expect((await fetch(`${base}/health`)).status).to.equal(200);
  });

  it("refuses a ticket with 503 while the broker is down, and accepts again once it is back", async function () {
    this.timeout(40_000);
    await nats.stop();
    await waitFor(
      "trade-service to see the broker down",
      async () =>
        !((await (await fetch(`${base}/health`)).json()) as { status: string }).status.startsWith("ok"),
    );
    const refused = await submit({ accountId: 22214, security: "IBM", side: "Buy", quantity: 2 });
    expect(refused.status).to.equal(503);
    expect(await refused.json()).to.have.property("error");
    expect((await fetch(`${base}/actuator/health/readiness`)).status).to.equal(503);
    await nats.restart();
    await waitFor(
      "trade-service to reconnect",
      async () => (await fetch(`${base}/actuator/health/readiness`)).ok,
      20_000,
    );
    expect((await submit({ accountId: 22214, security: "IBM", side: "Buy", quantity: 2 })).status).to.equal(
      200,
    );
  });
});
