/**
 * price-publisher (contract 1.8, 2 and 4.2): REST quotes and random-walk ticks on `pricing.<TICKER>`.
 */
import { Counter } from "prom-client";
import { envelope, Type, type HttpService, type Service } from "@traderx/service-lib";
import type { PricePublisherConfig } from "./config.js";
import { PriceModel, seededRandom, type PriceTick } from "./price-model.js";

/** The first cycle runs this long after start (contract 4.2). */
const FIRST_CYCLE_DELAY_MS = 600;
/** Tickers first seen through `GET /prices/{ticker}` join the published universe up to this size. */
const MAX_UNIVERSE = 500;
const TICKER_PATTERN = /^[A-Z0-9][A-Z0-9.\-_]{0,15}$/;

const PriceTickSchema = Type.Object({
  ticker: Type.String(),
  price: Type.Number(),
  openPrice: Type.Number(),
  closePrice: Type.Number(),
  asOf: Type.String({ format: "date-time" }),
  source: Type.Union([Type.Literal("snapshot"), Type.Literal("yfinance"), Type.Literal("fallback")]),
});
const ErrorSchema = Type.Object({ error: Type.String() });

export interface PricePublisher {
  app: HttpService;
  model: PriceModel;
}

export async function startPricePublisher(
  service: Service,
  config: PricePublisherConfig,
): Promise<PricePublisher> {
  const random = config.seed === undefined ? Math.random : seededRandom(config.seed);
  const fallbackRandom = config.seed === undefined ? Math.random : seededRandom(config.seed + 1);
  const model = new PriceModel({ tickers: config.tickers, cadence: config.cadence, random, fallbackRandom });
  if (service.env.PRICE_BOOTSTRAP_MODE?.trim() === "yfinance") {
    service.logger.warn(
      "PRICE_BOOTSTRAP_MODE=yfinance: no market data source is reachable here; using the snapshot",
    );
  }
  const published = new Counter({
    name: "traderx_price_ticks_published_total",
    help: "Price ticks published on pricing.<TICKER>.",
    registers: [service.metrics.registry],
  });
  const unpublished = new Counter({
    name: "traderx_price_ticks_unpublished_total",
    help: "Price ticks computed while the message bus was down, and so not published.",
    registers: [service.metrics.registry],
  });
  const bus = service.bus({ address: config.natsAddress, clientId: "price-publisher", role: "publisher" });

  const publish = (tick: PriceTick) => {
    const subject = `pricing.${tick.ticker}`;
    if (!bus.isConnected()) {
      unpublished.inc();
      return;
    }
    bus.publishJson(
      subject,
      envelope(subject, tick, { from: "price-publisher", type: "PriceTick", date: tick.asOf }),
    );
    published.inc();
  };
  let timer: NodeJS.Timeout | undefined;
  const runCycle = () => {
    const cycle = model.nextCycle(new Date());
    cycle.ticks.forEach(publish);
    timer = setTimeout(runCycle, cycle.sleepMs);
  };
  timer = setTimeout(runCycle, FIRST_CYCLE_DELAY_MS);
  service.onStop({ close: async () => clearTimeout(timer) });

  const app = await service.httpService({ title: "TraderX price-publisher", openApiPaths: ["/v3/api-docs"] });
  app.get("/health", async () => ({
    status: "ok",
    source: "snapshot",
    tickers: model.size,
    publish: config.cadence,
    volatilityBands: model.bandCounts(),
  }));
  app.get(
    "/prices",
    { schema: { response: { 200: Type.Object({ prices: Type.Array(PriceTickSchema) }) } } },
    async () => ({ prices: model.quotes(new Date()) }),
  );
  app.get(
    "/prices/:ticker",
    {
      schema: {
        params: Type.Object({ ticker: Type.String() }),
        response: { 200: PriceTickSchema, 400: ErrorSchema, 404: Type.Object({ message: Type.String() }) },
      },
    },
    async (request, reply) => {
      const ticker = request.params.ticker.trim().toUpperCase();
      if (!ticker) return reply.code(404).send({ message: "ticker not found" });
      if (!TICKER_PATTERN.test(ticker)) {
        return reply.code(400).send({ error: "ticker must be 1-16 letters, digits, '.', '-' or '_'" });
      }
      if (!model.has(ticker) && model.size >= MAX_UNIVERSE) {
        return reply
          .code(400)
          .send({ error: `unknown ticker ${ticker}: the universe is full (${MAX_UNIVERSE})` });
      }
      return model.quote(ticker, new Date());
    },
  );
  return { app, model };
}
