/**
 * trade-service (contract 1.6): validates a market trade ticket against reference-data and
 * account-service, stamps the price from price-publisher, and publishes it to the durable `/trades`
 * stream, answering only once JetStream has acknowledged it.
 */
import { randomUUID } from "node:crypto";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import {
  callPeer,
  ensureTradeOrderStream,
  envelope,
  envPort,
  Int32,
  PositiveInt32,
  TradeSide,
  isoOffset,
  natsAddress,
  peerUrl,
  PeerUnavailableError,
  roundPrice,
  TRADE_ORDER_SUBJECT,
  tracingHeaders,
  Type,
  type Env,
  type HttpService,
  type Service,
} from "@traderx/service-lib";

export interface TradeServiceConfig {
  port: number;
  natsAddress: string;
  referenceDataUrl: string;
  accountServiceUrl: string;
  priceServiceUrl: string;
}

export function tradeServiceConfig(env: Env): TradeServiceConfig {
  return {
    port: envPort(env, "TRADING_SERVICE_PORT", 18092),
    natsAddress: natsAddress(env),
    referenceDataUrl: peerUrl(env, {
      urlKey: "REFERENCE_DATA_URL",
      hostKey: "REFERENCE_DATA_HOST",
      defaultHost: "reference-data",
      port: 18085,
    }),
    accountServiceUrl: peerUrl(env, {
      urlKey: "ACCOUNT_SERVICE_URL",
      hostKey: "ACCOUNT_SERVICE_HOST",
      defaultHost: "account-service",
      port: 18088,
    }),
    priceServiceUrl: peerUrl(env, {
      urlKey: "PRICE_SERVICE_URL",
      hostKey: "PRICE_SERVICE_HOST",
      defaultHost: "price-publisher",
      port: 18100,
    }),
  };
}

const TradeTicket = Type.Object({
  accountId: Int32,
  security: Type.String({ minLength: 1, maxLength: 64 }),
  side: TradeSide,
  // Stricter than the reference, which accepts a non-positive quantity that can never be booked.
  quantity: PositiveInt32,
  price: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  id: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
  state: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const TradeAccepted = Type.Object({
  id: Type.Union([Type.String(), Type.Number(), Type.Null()]),
  state: Type.Union([Type.String(), Type.Null()]),
  security: Type.String(),
  quantity: Type.Integer(),
  price: Type.Number(),
  accountId: Type.Integer(),
  side: TradeSide,
});
const SpringError = Type.Object({
  timestamp: Type.String(),
  status: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  path: Type.String(),
});
const ErrorSchema = Type.Object({ error: Type.String() });

/** Why a ticket is refused; `status` 404 for unknown ticker, account or price, 502 for a failed peer. */
class TicketRefused extends Error {
  constructor(
    readonly status: 404 | 502,
    message: string,
  ) {
    super(message);
  }
}

async function peerLookup(url: string, what: string, notFound: string): Promise<unknown> {
  let response;
  try {
    response = await callPeer(url, { timeoutMs: 4_000 });
  } catch (error) {
    if (error instanceof PeerUnavailableError) throw new TicketRefused(502, `${what} is unavailable`);
    throw error;
  }
  if (response.status === 404) throw new TicketRefused(404, notFound);
  if (response.status !== 200) throw new TicketRefused(502, `${what} answered ${response.status}`);
  return response.body;
}

export async function buildTradeService(service: Service, config: TradeServiceConfig): Promise<HttpService> {
  const bus = service.bus({ address: config.natsAddress, clientId: "trade-service", role: "publisher" });
  let trades: JetStreamClient | undefined;
  // The stream may not exist yet (first start) or JetStream may be starting: retry until it is there.
  const streamReady = (async () => {
    const nc = await bus.connection();
    for (;;) {
      try {
        await ensureTradeOrderStream(nc);
        trades = jetstream(nc);
        return;
      } catch (error) {
        if (!service.isAccepting()) return;
        service.logger.warn({ err: error }, "trade stream not available yet; retrying");
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  })();
  streamReady.catch(() => undefined);
  service.addReadinessCheck({ name: "tradeStream", isReady: () => trades !== undefined });

  const app = await service.httpService({
    title: "TraderX trade service",
    openApiPaths: ["/v3/api-docs"],
    redirectRootToOpenApi: true,
  });

  app.post(
    "/trade/",
    {
      // `accountID` is accepted as an alias of `accountId`, as in the reference.
      preValidation: async (request) => {
        const body = request.body as Record<string, unknown> | null;
        if (
          body &&
          typeof body === "object" &&
          body.accountId === undefined &&
          body.accountID !== undefined
        ) {
          body.accountId = body.accountID;
        }
      },
      schema: {
        body: TradeTicket,
        response: { 200: TradeAccepted, 404: SpringError, 502: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { accountId, security, side, quantity } = request.body;
      let price: number;
      try {
        // Both lookups run at once; the ticker's verdict still comes first, as in the reference. The price
        // is asked only for a known ticker: price-publisher adds unknown tickers to its universe.
        const ticker = peerLookup(
          `${config.referenceDataUrl}/stocks/${encodeURIComponent(security)}`,
          "reference-data",
          `Ticker ${security} not found`,
        );
        const account = peerLookup(
          `${config.accountServiceUrl}/account/${accountId}`,
          "account-service",
          `Account ${accountId} not found`,
        );
        account.catch(() => undefined);
        await ticker;
        await account;
        const quote = (await peerLookup(
          `${config.priceServiceUrl}/prices/${encodeURIComponent(security)}`,
          "price-publisher",
          `No price for ${security}`,
        )) as { price?: unknown } | undefined;
        if (typeof quote?.price !== "number" || !Number.isFinite(quote.price)) {
          throw new TicketRefused(404, `No price for ${security}`);
        }
        price = roundPrice(quote.price);
      } catch (error) {
        if (!(error instanceof TicketRefused)) throw error;
        if (error.status === 502) return reply.code(502).send({ error: error.message });
        return reply.code(404).send({
          timestamp: isoOffset(new Date()),
          status: 404,
          error: "Not Found",
          message: error.message,
          path: "/trade/",
        });
      }

      const order = { security, quantity, price, accountId, side };
      if (!trades || !bus.isConnected()) {
        return reply.code(503).send({ error: "message bus unavailable; the trade was not accepted" });
      }
      const message = JSON.stringify(
        envelope(TRADE_ORDER_SUBJECT, order, { from: "trade-service", type: "TradeOrder" }),
      );
      const options = { msgID: randomUUID(), headers: tracingHeaders(), timeout: 5_000 };
      try {
        await trades.publish(TRADE_ORDER_SUBJECT, message, options);
      } catch (firstError) {
        // A broker that lost its stream answers "no responders": recreate the stream and retry once. The
        // same message id makes the retry harmless if the first attempt was stored after all.
        request.log.warn({ err: firstError }, "trade publish failed; ensuring the stream and retrying once");
        try {
          await ensureTradeOrderStream(await bus.connection());
          await trades.publish(TRADE_ORDER_SUBJECT, message, options);
        } catch (error) {
          request.log.error({ err: error }, "trade publish not acknowledged");
          return reply
            .code(503)
            .send({ error: "the trade stream did not acknowledge the trade; it was not accepted" });
        }
      }
      return { id: request.body.id ?? null, state: request.body.state ?? null, ...order };
    },
  );

  const health = async () => ({
    status: bus.isConnected() ? "ok" : "degraded",
    service: "trade-service",
    messageBus: bus.health(),
  });
  app.get("/system/health", { schema: { hide: true } }, health);
  // Contract 1.6: the readiness gate polls /health, which the reference lacks.
  app.get("/health", { schema: { hide: true } }, health);
  return app;
}
