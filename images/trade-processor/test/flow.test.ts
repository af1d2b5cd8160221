import { expect } from "chai";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Service } from "@traderx/service-lib";
import { startNats, waitFor, type TestNats } from "@traderx/service-lib/testing";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { buildPositionService } from "@traderx/position-service/app";
import { startTradeIntake, type TradeIntake } from "@traderx/trade-service/testing";
import { buildTradeProcessor } from "../src/app.js";
import { nextJson, nextMessage } from "./support.js";

describe("F3/F4: submit a market trade, see it booked", function () {
  this.timeout(60_000);
  let database: TraderxTestDatabase;
  let nats: TestNats;
  let intake: TradeIntake;
  const services: Service[] = [];
  let positionsUrl: string;
  let observer: NatsConnection;

  before(async () => {
    [database, nats] = await Promise.all([startTraderxDatabase(), startNats()]);
    intake = await startTradeIntake(database, nats.url);
    const processor = new Service("trade-processor", { LOG_LEVEL: "silent" });
    const positions = new Service("position-service", { LOG_LEVEL: "silent" });
    services.push(processor, positions);
    await processor.listen(
      await buildTradeProcessor(processor, {
        port: 0,
        natsAddress: nats.url,
        database: database.asRole("trade_processor"),
      }),
      0,
      "127.0.0.1",
    );
    const positionsPort = await positions.listen(
      await buildPositionService(positions, { port: 0, database: database.asRole("position_service") }),
      0,
      "127.0.0.1",
    );
    positionsUrl = `http://127.0.0.1:${positionsPort}`;
    observer = await connect({ servers: nats.url });
  });
  after(async () => {
    await observer?.close();
    for (const service of services) await service.stop();
    await intake?.stop();
    await Promise.all([database?.remove(), nats?.remove()]);
  });

  it("publishes the order, books it Settled, updates the position and announces both, keeping the correlation id", async () => {
    const quantity = 7000 + Math.floor(Math.random() * 500);
    const orders = observer.subscribe("/trades");
    const trades = observer.subscribe("/accounts/22214/trades");
    const positions = observer.subscribe("/accounts/22214/positions");
    const prices = observer.subscribe("pricing.IBM", { max: 1 });
    await observer.flush();
    const [before] = (
      (await (await fetch(`${positionsUrl}/positions/22214`)).json()) as {
        security: string;
        quantity: number;
      }[]
    ).filter((position) => position.security === "IBM");

    const response = await fetch(`${intake.tradeServiceUrl}/trade/`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: "http://localhost:8080",
        "x-correlation-id": `flow-${quantity}`,
      },
      body: JSON.stringify({ side: "Buy", quantity, security: "IBM", accountId: 22214 }),
    });
    expect(response.status).to.equal(200);
    const accepted = (await response.json()) as { price: number };

    const order = await nextJson<{ payload: { quantity: number; price: number } }>(orders);
    expect(order.payload.quantity).to.equal(quantity);
    expect(Number.isFinite(order.payload.price)).to.equal(true);
    const tradeMessage = await nextMessage(trades);
    // The caller's correlation id travelled HTTP → JetStream → trade-processor → NATS.
    expect(tradeMessage.headers?.get("x-correlation-id")).to.equal(`flow-${quantity}`);
    const trade = tradeMessage.json<{
      payload: { quantity: number; state: string; price: number; security: string };
    }>();
    expect(trade.payload).to.include({ quantity, state: "Settled", security: "IBM", price: accepted.price });
    const position = await nextJson<{
      payload: { security: string; quantity: number; averageCostBasis: number };
    }>(positions);
    expect(position.payload).to.include({ security: "IBM", quantity: before.quantity + quantity });
    expect(position.payload.averageCostBasis).to.be.a("number");
    const tick = await nextJson<{ payload: { price: number; openPrice: number; closePrice: number } }>(
      prices,
      15_000,
    );
    expect(tick.payload.price).to.be.a("number");

    await waitFor("the trade over REST", async () => {
      const listed = (await (await fetch(`${positionsUrl}/trades/22214`)).json()) as {
        quantity: number;
        state: string;
      }[];
      return listed.some(
        (listedTrade) => listedTrade.quantity === quantity && listedTrade.state === "Settled",
      );
    });
  });
});
