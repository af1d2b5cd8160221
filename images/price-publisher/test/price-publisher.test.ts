import { expect } from "chai";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ConfigError, Service } from "@traderx/service-lib";
import { serverErrorsFor, startNats, type TestNats } from "@traderx/service-lib/testing";
import { startPricePublisher } from "../src/app.js";
import { readConfig } from "../src/config.js";
import { PriceModel, seededRandom } from "../src/price-model.js";

const SEED = 20260102;

describe("price-publisher service", function () {
  let nats: TestNats;
  let service: Service;
  let baseUrl: string;
  let subscriber: NatsConnection;
  const received: { subject: string; message: Record<string, unknown> }[] = [];
  const env = () => ({
    LOG_LEVEL: "silent",
    NATS_ADDRESS: nats.url,
    PRICE_RANDOM_SEED: String(SEED),
    PRICE_PUBLISH_INTERVAL_MIN_MS: "20",
    PRICE_PUBLISH_INTERVAL_MAX_MS: "40",
  });

  before(async () => {
    nats = await startNats();
    subscriber = await connect({ servers: nats.url });
    subscriber.subscribe("pricing.*", {
      callback: (_error, msg) => {
        received.push({ subject: msg.subject, message: msg.json() });
      },
    });
    await subscriber.flush();
    service = new Service("price-publisher", env());
    const config = readConfig(service.env);
    const { app } = await startPricePublisher(service, config);
    baseUrl = `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
  });

  after(async () => {
    await service?.stop();
    await subscriber?.close();
    await nats?.remove();
  });

  const get = async <Body = Record<string, unknown>>(path: string) => {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Body };
  };
  type Quote = { ticker: string; openPrice: number; source: string };

  it("publishes the seeded random walk on pricing.<TICKER> in PriceTick envelopes", async () => {
    const deadline = Date.now() + 10_000;
    while (received.length < 25 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const config = readConfig(env());
    const replay = new PriceModel({
      tickers: config.tickers,
      cadence: config.cadence,
      random: seededRandom(SEED),
      fallbackRandom: seededRandom(SEED + 1),
    });
    const expected = Array.from({ length: 5 }, () => replay.nextCycle(new Date()).ticks).flat();
    const first = received.slice(0, expected.length);
    expect(first.map((m) => [m.subject, (m.message.payload as { price: number }).price])).to.deep.equal(
      expected.map((tick) => [`pricing.${tick.ticker}`, tick.price]),
    );
    expect(first[0].message).to.include({
      topic: first[0].subject,
      from: "price-publisher",
      type: "PriceTick",
    });
    expect(first[0].message.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first[0].message.payload).to.have.keys(
      "ticker",
      "price",
      "openPrice",
      "closePrice",
      "asOf",
      "source",
    );
  });

  it("reports the contract health body", async () => {
    expect(await get("/health")).to.deep.equal({
      status: 200,
      body: {
        status: "ok",
        source: "snapshot",
        tickers: 20,
        publish: { minMs: 20, maxMs: 40, ratio: 0.25 },
        volatilityBands: { extended_4pct: 4, extended_2pct: 12, strict: 4 },
      },
    });
  });

  it("lists every quote inside a prices wrapper and serves one ticker, upper-cased", async () => {
    const all = await get<{ prices: Quote[] }>("/prices");
    expect(all.status).to.equal(200);
    expect(all.body.prices.map((q) => q.ticker))
      .to.have.length(20)
      .and.include("IBM");
    const ibm = await get<Quote & { asOf: string }>("/prices/ibm");
    expect(ibm.status).to.equal(200);
    expect(ibm.body).to.include({ ticker: "IBM", openPrice: 186, closePrice: 187.4, source: "snapshot" });
    expect(ibm.body.asOf).to.match(/Z$/);
  });

  it("creates a fallback quote for an unknown ticker, which then joins the universe", async () => {
    const newco = await get<Quote>("/prices/NEWCO");
    expect(newco.status).to.equal(200);
    expect(newco.body.source).to.equal("fallback");
    expect(newco.body.openPrice).to.be.within(100, 150);
    expect((await get("/health")).body.tickers).to.equal(21);
    expect((await get<{ prices: Quote[] }>("/prices")).body.prices.at(-1)?.ticker).to.equal("NEWCO");
  });

  it("answers 404 for an empty ticker and 400 for a malformed one", async () => {
    expect(await get("/prices/%20")).to.deep.equal({ status: 404, body: { message: "ticker not found" } });
    const bad = await get<{ error: string }>("/prices/no%20such!");
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.match(/ticker/);
    expect(await serverErrorsFor(baseUrl, [{ method: "GET", path: "/prices/{ticker}" }])).to.deep.equal([]);
  });

  it("serves its OpenAPI document and metrics", async () => {
    const docs = await get<{ paths: object }>("/v3/api-docs");
    expect(docs.body.paths).to.have.keys("/health", "/prices", "/prices/{ticker}");
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).to.match(/^traderx_price_ticks_published_total\{[^}]*\} [1-9]/m);
    expect(metrics).to.match(/^traderx_messagebus_connected\{[^}]*role="publisher"[^}]*\} 1/m);
  });

  it("refuses bad settings with the key and the fix", () => {
    expect(() => readConfig({ PRICE_PUBLISH_BATCH_RATIO: "2" })).to.throw(
      ConfigError,
      /PRICE_PUBLISH_BATCH_RATIO/,
    );
    expect(() => readConfig({ PRICE_BOOTSTRAP_MODE: "live" })).to.throw(ConfigError, /snapshot or yfinance/);
    expect(() =>
      readConfig({ PRICE_PUBLISH_INTERVAL_MIN_MS: "900", PRICE_PUBLISH_INTERVAL_MAX_MS: "800" }),
    ).to.throw(ConfigError, /PRICE_PUBLISH_INTERVAL_MAX_MS/);
  });
});
