/**
 * order-matcher (contract 1.9, 2, 3.2 and 4.3): the order REST API, `pricing.*` ticks in, order events
 * and trades out, all orders in `orderbook`.
 */
import {
  callPeer,
  envelope,
  openEnvelope,
  PeerUnavailableError,
  Type,
  withoutNulls,
  type HttpService,
  type Service,
} from "@traderx/service-lib";
import type { OrderMatcherConfig } from "./config.js";
import { OrderMatcher, type TradeTicket } from "./matcher.js";
import { counterValue, createMatcherMetrics } from "./metrics.js";
import { OrderBook } from "./order-book.js";
import { ORDER_STATUSES, SIDES, type Order, type OrderStatus } from "./orders.js";
import { seedOrders } from "./seed-orders.js";
import { OrderStore } from "./store.js";

/** Trade submissions give up after this long (the reference: 2 s connect + 4 s read). */
const TRADE_TIMEOUT_MS = 6_000;
const LOOKUP_TIMEOUT_MS = 3_000;
const LOAD_RETRY_MS = 2_000;
const OPEN_STATUSES: OrderStatus[] = ["NEW", "PARTIALLY_FILLED"];

const enumOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: "string", enum: [...values] });
const SideSchema = enumOf(SIDES);

const OrderSchema = Type.Object({
  orderId: Type.String(),
  accountId: Type.Integer(),
  security: Type.String(),
  side: SideSchema,
  quantity: Type.Integer(),
  remainingQuantity: Type.Integer(),
  limitPrice: Type.Number(),
  status: enumOf(ORDER_STATUSES),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  lastExecutionPrice: Type.Union([Type.Number(), Type.Null()]),
  lastFillQuantity: Type.Union([Type.Integer(), Type.Null()]),
  marketPrice: Type.Union([Type.Number(), Type.Null()]),
});
/** Limits of a PostgreSQL INTEGER column. */
const INTEGER_MAX = 2_147_483_647;

const OrderRequestSchema = Type.Object({
  accountId: Type.Integer({ minimum: 1, maximum: INTEGER_MAX }),
  security: Type.String({ pattern: "\\S", maxLength: 16 }),
  side: SideSchema,
  quantity: Type.Integer({ minimum: 1, maximum: INTEGER_MAX }),
  // DECIMAL(18, 3) holds less than 10^15.
  limitPrice: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1e15 }),
});
const ErrorSchema = Type.Object({ error: Type.String(), detail: Type.Optional(Type.String()) });
const OrderIdParams = Type.Object({ orderId: Type.String({ pattern: "^[A-Za-z0-9._-]{1,32}$" }) });

export interface OrderMatcherService {
  app: HttpService;
  matcher: OrderMatcher;
}

/** Whether a peer knows the thing at `url`: 2xx yes, 404 no, anything else means it cannot tell. */
async function peerKnows(url: string, peer: string): Promise<boolean> {
  const response = await callPeer(url, { timeoutMs: LOOKUP_TIMEOUT_MS });
  if (response.status >= 200 && response.status < 300) return true;
  if (response.status === 404) return false;
  throw new PeerUnavailableError(url, new Error(`${peer} answered ${response.status}`));
}

export async function startOrderMatcher(
  service: Service,
  config: OrderMatcherConfig,
): Promise<OrderMatcherService> {
  const started = Date.now();
  const database = service.database(config.database);
  const store = new OrderStore(database);
  const book = new OrderBook({ fullFillThreshold: config.fullFillThreshold });
  const metrics = createMatcherMetrics(service.metrics.registry, () => book.getCounts());
  const bus = service.bus({ address: config.natsAddress, clientId: "order-matcher", role: "publisher" });

  const toJson = (order: Order) => ({
    orderId: order.orderId,
    accountId: order.accountId,
    security: order.security,
    side: order.side,
    quantity: order.quantity,
    remainingQuantity: order.remainingQuantity,
    limitPrice: order.limitPrice,
    status: order.status,
    createdAt: new Date(order.createdAt).toISOString(),
    updatedAt: new Date(order.updatedAt).toISOString(),
    lastExecutionPrice: order.lastExecutionPrice,
    lastFillQuantity: order.lastFillQuantity,
    marketPrice: book.marketPrice(order.security),
  });
  const publish = (order: Order) => {
    const payload = withoutNulls(toJson(order));
    // ISO-offset, as the reference's OffsetDateTime prints it (contract 2).
    const date = new Date().toISOString().replace("Z", "+00:00");
    for (const subject of [`/accounts/${order.accountId}/orders`, "/orders"]) {
      bus.publishJson(
        subject,
        envelope(subject, payload, { from: "order-matcher", type: "OrderResponse", date }),
      );
    }
  };
  const submitTrade = async (ticket: TradeTicket): Promise<boolean> => {
    const response = await callPeer(config.tradeServiceUrl, {
      method: "POST",
      body: ticket,
      timeoutMs: TRADE_TIMEOUT_MS,
    });
    const accepted = response.status >= 200 && response.status < 300;
    if (!accepted)
      service.logger.warn({ status: response.status, body: response.body, ticket }, "trade refused");
    return accepted;
  };
  const matcher = new OrderMatcher({ book, store, metrics, logger: service.logger, submitTrade, publish });

  const subscribeToPrices = () =>
    void bus.connection().then(
      (nc) =>
        nc.subscribe("pricing.*", {
          callback: (error, message) => {
            if (error) return;
            const tick = openEnvelope(message.data)?.payload as
              { ticker?: unknown; price?: unknown } | undefined;
            const security =
              typeof tick?.ticker === "string" ? tick.ticker : message.subject.slice("pricing.".length);
            if (typeof tick?.price === "number" && Number.isFinite(tick.price) && tick.price > 0) {
              matcher.onPriceTick(security, tick.price);
            }
          },
        }),
      () => undefined,
    );

  /** Reads everything first, then fills the book in one synchronous step, so a failed try leaves no trace. */
  const loadBook = async () => {
    if (config.seedEnabled && (await store.seedIfEmpty(seedOrders(Date.now())))) {
      service.logger.info("inserted the seed orders into an empty order book");
    }
    const [highest, open, { total, byStatus }] = await Promise.all([
      store.highestSequence(),
      store.loadOpen(),
      store.countByStatus(),
    ]);
    book.advanceSequence(highest);
    for (const order of open) book.add(order);
    metrics.events.inc({ event: "create" }, total);
    metrics.events.inc({ event: "partial_fill" }, byStatus.PARTIALLY_FILLED);
    metrics.events.inc({ event: "fill" }, byStatus.FILLED);
    metrics.events.inc({ event: "cancel" }, byStatus.CANCELED);
    metrics.events.inc({ event: "reject" }, byStatus.REJECTED);
    subscribeToPrices();
    matcher.startTicking(config.tickMs);
    loaded = true;
    service.logger.info({ openOrders: book.getCounts().open }, "order book loaded");
  };
  // The process serves health while the database comes up (migrations may still be running): the book
  // loads in the background, retried until it succeeds, and readiness waits for it.
  let loaded = false;
  service.addReadinessCheck({ name: "orderBook", isReady: () => loaded });
  void (async () => {
    while (service.isAccepting()) {
      try {
        return await loadBook();
      } catch (error) {
        service.logger.warn({ err: error }, "could not load the order book; retrying");
        await new Promise((resolve) => setTimeout(resolve, LOAD_RETRY_MS).unref());
      }
    }
  })();
  service.onStop({ close: () => matcher.stop() });

  const app = await service.httpService({ title: "TraderX order-matcher", openApiPaths: ["/v3/api-docs"] });

  app.addHook("onRequest", async (request, reply) => {
    if (!loaded && request.url.startsWith("/orders")) {
      return reply.code(503).send({ error: "the order book is still loading; retry shortly" });
    }
  });

  const health = async () => {
    const counts = book.getCounts();
    const messageBus = bus.health();
    return {
      status: messageBus.status === "connected" ? "ok" : "degraded",
      service: "traderx-order-matcher",
      uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      priceServiceUrl: config.priceServiceUrl,
      tradeServiceUrl: config.tradeServiceUrl,
      matcher: {
        tickMs: config.tickMs,
        ticks: await counterValue(metrics.ticks),
        lastTickAt: matcher.lastTickAt === null ? null : new Date(matcher.lastTickAt).toISOString(),
        autoFillAttempts: await counterValue(metrics.autoFillAttempts),
        autoFillSuccess: await counterValue(metrics.autoFillSuccess),
        tradeSubmitFailures: await counterValue(metrics.tradeSubmitFailures),
      },
      openOrders: counts.open,
      unfilledOrders: counts.unfilled,
      messageBus,
    };
  };
  for (const path of ["/health", "/healthz", "/system/health"]) app.get(path, health);

  app.get(
    "/orders",
    {
      schema: {
        querystring: Type.Object({
          status: Type.Optional(Type.String()),
          accountId: Type.Optional(Type.Integer()),
        }),
        response: { 200: Type.Array(OrderSchema), 400: ErrorSchema },
      },
    },
    async (request) => {
      const { accountId } = request.query;
      const status = (request.query.status ?? "open").trim().toUpperCase();
      let statuses: readonly OrderStatus[] | undefined;
      if (status === "OPEN") statuses = OPEN_STATUSES;
      else if (status === "ALL") statuses = undefined;
      else if ((ORDER_STATUSES as readonly string[]).includes(status)) statuses = [status as OrderStatus];
      else return [];
      return (await store.list({ statuses, accountId })).map(toJson);
    },
  );

  app.get(
    "/orders/open-count",
    {
      schema: {
        response: { 200: Type.Object({ openOrders: Type.Integer(), unfilledOrders: Type.Integer() }) },
      },
    },
    async () => ({ openOrders: book.getCounts().open, unfilledOrders: book.getCounts().unfilled }),
  );

  app.get(
    "/orders/:orderId",
    { schema: { params: OrderIdParams, response: { 200: OrderSchema, 404: ErrorSchema } } },
    async (request, reply) => {
      const order = book.get(request.params.orderId) ?? (await store.find(request.params.orderId));
      return order ? toJson(order) : reply.code(404).send({ error: "order not found" });
    },
  );

  app.post(
    "/orders",
    {
      attachValidation: true,
      schema: {
        body: OrderRequestSchema,
        response: { 201: OrderSchema, 400: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        return reply
          .code(400)
          .send({ error: "invalid order payload", detail: request.validationError.message });
      }
      const body = request.body;
      const security = body.security.trim().toUpperCase();
      let known: [boolean, boolean];
      try {
        known = await Promise.all([
          peerKnows(`${config.accountServiceUrl}/account/${body.accountId}`, "account-service"),
          peerKnows(`${config.referenceDataUrl}/stocks/${encodeURIComponent(security)}`, "reference-data"),
        ]);
      } catch (error) {
        request.log.warn({ err: error }, "could not validate an order");
        return reply.code(503).send({
          error: "cannot validate the order now: account-service or reference-data is not answering",
        });
      }
      if (!known[0]) return reply.code(400).send({ error: `unknown account ${body.accountId}` });
      if (!known[1]) return reply.code(400).send({ error: `unknown security ${security}` });
      const order = await matcher.create({ ...body, security });
      return reply.code(201).send(toJson(order));
    },
  );

  // Cancel and force-fill ignore their body, of any content type: the UI sends `{}`, other clients send
  // nothing or an empty body labelled JSON, and the reference answers all of them.
  await app.register(async (actions: HttpService) => {
    actions.removeAllContentTypeParsers();
    actions.addContentTypeParser("*", (_request, payload, done) => {
      payload.once("end", () => done(null, undefined));
      payload.resume();
    });

    actions.post(
      "/orders/:orderId/cancel",
      { schema: { params: OrderIdParams, response: { 200: OrderSchema, 404: ErrorSchema } } },
      async (request, reply) => {
        const order = await matcher.cancel(request.params.orderId);
        return order ? toJson(order) : reply.code(404).send({ error: "order not found" });
      },
    );

    actions.post(
      "/orders/:orderId/force-fill",
      {
        schema: { params: OrderIdParams, response: { 200: OrderSchema, 404: ErrorSchema, 502: ErrorSchema } },
      },
      async (request, reply) => {
        const result = await matcher.forceFill(request.params.orderId);
        if (!result) return reply.code(404).send({ error: "order not found" });
        if (!result.filled) return reply.code(502).send({ error: "failed to submit trade for force-fill" });
        return toJson(result.order);
      },
    );
  });

  return { app, matcher };
}
