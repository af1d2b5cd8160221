/**
 * trade-processor (contract 1.7): books every TradeOrder from the durable `/trades` stream, acking each
 * message only after its booking committed, then publishes the Settled trade and the position on the
 * account's subjects. `POST /tradeservice/order` books synchronously through the same path.
 */
import { randomUUID } from "node:crypto";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { Counter } from "prom-client";
import {
  databaseConfig,
  ensureTradeOrderStream,
  envelope,
  envPort,
  Int32,
  PositiveInt32,
  TradeSide,
  handleInTrace,
  isoOffset,
  natsAddress,
  openEnvelope,
  schemaCheck,
  TRADE_ORDER_STREAM,
  TRADE_ORDER_SUBJECT,
  Type,
  type DatabaseConfig,
  type Env,
  type HttpService,
  type Service,
} from "@traderx/service-lib";
import {
  bookOrder,
  isPermanentBookingError,
  pruneBookedMessages,
  type BookedPosition,
  type BookedTrade,
  type TradeOrder,
} from "./booking.js";

export interface TradeProcessorConfig {
  port: number;
  natsAddress: string;
  database: DatabaseConfig;
}

export function tradeProcessorConfig(env: Env): TradeProcessorConfig {
  return {
    port: envPort(env, "TRADE_PROCESSOR_SERVICE_PORT", 18091),
    natsAddress: natsAddress(env),
    database: databaseConfig(env),
  };
}

/** Name of the durable JetStream consumer; it keeps its position across restarts. */
export const CONSUMER_NAME = "trade-processor";
/**
 * How long a delivered message may stay unacked before JetStream redelivers it: the time a crashed
 * processor's messages wait. Messages are booked one at a time, so the pull batch is kept small enough to
 * be booked well within it.
 */
const ACK_WAIT_MS = 10_000;
const PULL_BATCH = 32;
/** How often the ids of messages booked longer ago than the stream keeps them are deleted. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

const TradeOrderSchema = Type.Object({
  accountId: Int32,
  security: Type.String({ minLength: 1, maxLength: 15 }),
  side: TradeSide,
  quantity: PositiveInt32,
  price: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1e12 }), Type.Null()])),
});
const isTradeOrder = schemaCheck(TradeOrderSchema);

const BusHealth = Type.Object({
  status: Type.String(),
  address: Type.String(),
  clientId: Type.String(),
  uptimeSeconds: Type.Integer(),
});

export async function buildTradeProcessor(
  service: Service,
  config: TradeProcessorConfig,
): Promise<HttpService> {
  const db = service.database(config.database);
  const subscriber = service.bus({
    address: config.natsAddress,
    clientId: "trade-processor-subscriber",
    role: "subscriber",
  });
  const publisher = service.bus({
    address: config.natsAddress,
    clientId: "trade-processor",
    role: "publisher",
  });
  const outcomes = new Counter({
    name: "traderx_trade_orders_processed_total",
    help: "Trade orders taken from /trades, by outcome: booked, duplicate (already booked), rejected, ignored.",
    labelNames: ["outcome"],
    registers: [service.metrics.registry],
  });

  /** Publishes the Settled trade, then the position (contract 2), after the booking committed. */
  const publishBooking = (trade: BookedTrade, position: BookedPosition) => {
    const tradeSubject = `/accounts/${trade.accountId}/trades`;
    const positionSubject = `/accounts/${trade.accountId}/positions`;
    try {
      publisher.publishJson(
        tradeSubject,
        envelope(
          tradeSubject,
          { ...trade, created: trade.created.getTime(), updated: trade.updated.getTime() },
          { from: "trade-processor", type: "Trade" },
        ),
      );
      publisher.publishJson(
        positionSubject,
        envelope(
          positionSubject,
          { ...position, updated: position.updated.getTime() },
          { from: "trade-processor", type: "Position" },
        ),
      );
    } catch (error) {
      // The booking stands; only the live update is lost. Clients re-read positions over REST.
      service.logger.warn(
        { err: error, tradeId: trade.id },
        "booked trade not published: message bus unavailable",
      );
    }
  };

  const handleMessage = async (message: JsMsg) => {
    const opened = openEnvelope(message.data);
    if (opened?.type !== "TradeOrder") {
      outcomes.inc({ outcome: "ignored" });
      message.ack();
      return;
    }
    if (!isTradeOrder(opened.payload)) {
      service.logger.warn({ seq: message.seq }, "malformed TradeOrder on /trades; not booked");
      outcomes.inc({ outcome: "rejected" });
      message.term("malformed TradeOrder");
      return;
    }
    const messageId = message.headers?.get("Nats-Msg-Id") || `${TRADE_ORDER_STREAM}:${message.seq}`;
    for (;;) {
      try {
        const result = await bookOrder(db, opened.payload, messageId);
        if (result.booked) publishBooking(result.trade, result.position);
        outcomes.inc({ outcome: result.booked ? "booked" : "duplicate" });
        message.ack();
        return;
      } catch (error) {
        if (isPermanentBookingError(error)) {
          service.logger.error({ err: error, order: opened.payload }, "trade order cannot be booked");
          outcomes.inc({ outcome: "rejected" });
          message.term("cannot be booked");
          return;
        }
        if (!service.isAccepting()) {
          message.nak();
          return;
        }
        // The database is unreachable: hold this message (keeping order) and retry it.
        service.logger.warn({ err: error }, "booking failed; retrying");
        message.working();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };

  /** Creates the stream and the durable consumer where missing; the broker keeps both across restarts. */
  const ensureConsumer = async (nc: NatsConnection) => {
    await ensureTradeOrderStream(nc);
    await (
      await jetstreamManager(nc)
    ).consumers.add(TRADE_ORDER_STREAM, {
      durable_name: CONSUMER_NAME,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ACK_WAIT_MS),
      deliver_policy: DeliverPolicy.All,
      filter_subject: TRADE_ORDER_SUBJECT,
      max_deliver: -1,
    });
  };

  /**
   * A broker that lost its JetStream data (no volume, or a stream deleted by hand) leaves the consumer
   * pulling from nothing. Stopping these messages makes the loop below recreate stream and consumer and
   * consume afresh; redelivered history is not booked twice.
   */
  const stopWhenLost = async (messages: ConsumerMessages) => {
    for await (const event of messages.status()) {
      if (
        event.type === "consumer_not_found" ||
        event.type === "stream_not_found" ||
        event.type === "consumer_deleted"
      ) {
        service.logger.warn({ event: event.type }, "trade stream consumer lost; recreating it");
        messages.stop();
        return;
      }
    }
  };

  let consuming: ConsumerMessages | undefined;
  const consumeLoop = (async () => {
    const nc = await subscriber.connection();
    while (service.isAccepting()) {
      if (consuming) {
        // Consumption was stopped because the consumer was lost. Give a stream deletion in progress on
        // the broker time to finish: recreating the stream during it leaves the stream unusable.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      try {
        await ensureConsumer(nc);
        const consumer = await jetstream(nc).consumers.get(TRADE_ORDER_STREAM, CONSUMER_NAME);
        consuming = await consumer.consume({ max_messages: PULL_BATCH });
      } catch (error) {
        service.logger.warn({ err: error }, "trade stream consumer not available yet; retrying");
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        continue;
      }
      service.logger.info({ consumer: CONSUMER_NAME }, "consuming /trades");
      void stopWhenLost(consuming);
      for await (const message of consuming) {
        await handleInTrace(message.subject, message.headers, () => handleMessage(message));
      }
    }
  })();
  consumeLoop.catch((error: unknown) => service.logger.fatal({ err: error }, "trade consumer stopped"));
  service.addReadinessCheck({ name: "tradeConsumer", isReady: () => consuming !== undefined });
  // Before the buses drain: stop taking messages and finish the one in hand.
  service.onStop({
    close: async () => {
      await consuming?.close();
      // The loop may still wait for a first broker connection that never comes: do not wait for that.
      await Promise.race([
        consumeLoop.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
      ]);
    },
  });

  const pruneTimer = setInterval(() => {
    pruneBookedMessages(db, new Date()).then(
      (pruned) => pruned > 0 && service.logger.info({ pruned }, "forgot booked message ids past retention"),
      (error: unknown) => service.logger.warn({ err: error }, "pruning booked message ids failed"),
    );
  }, PRUNE_EVERY_MS).unref();
  service.onStop({ close: async () => clearInterval(pruneTimer) });

  const app = await service.httpService({
    title: "TraderX trade processor",
    openApiPaths: ["/v3/api-docs"],
    redirectRootToOpenApi: true,
  });

  const TradeSchema = Type.Object({
    id: Type.String(),
    accountId: Type.Integer(),
    security: Type.String(),
    side: TradeSide,
    state: Type.String(),
    quantity: Type.Integer(),
    price: Type.Number(),
    created: Type.String(),
    updated: Type.String(),
  });
  const PositionSchema = Type.Object({
    accountId: Type.Integer(),
    security: Type.String(),
    quantity: Type.Integer(),
    averageCostBasis: Type.Number(),
    updated: Type.String(),
  });
  app.post(
    "/tradeservice/order",
    {
      schema: {
        body: TradeOrderSchema,
        response: {
          200: Type.Object({ trade: TradeSchema, position: PositionSchema }),
          404: Type.Object({ error: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const order: TradeOrder = request.body;
      let result;
      try {
        result = await bookOrder(db, order, `http:${randomUUID()}`);
      } catch (error) {
        if (isPermanentBookingError(error)) {
          return reply.code(404).send({ error: `account ${order.accountId} not found` });
        }
        throw error;
      }
      if (!result.booked) throw new Error("a fresh message id was already booked");
      publishBooking(result.trade, result.position);
      const { trade, position } = result;
      return {
        trade: { ...trade, created: isoOffset(trade.created), updated: isoOffset(trade.updated) },
        position: { ...position, updated: isoOffset(position.updated) },
      };
    },
  );

  const health = async () => ({
    status: publisher.isConnected() && subscriber.isConnected() ? "ok" : "degraded",
    service: "trade-processor",
    messageBus: { publisher: publisher.health(), subscriber: subscriber.health() },
  });
  const healthSchema = {
    schema: {
      hide: true,
      response: {
        200: Type.Object({
          status: Type.String(),
          service: Type.String(),
          messageBus: Type.Object({ publisher: BusHealth, subscriber: BusHealth }),
        }),
      },
    },
  };
  app.get("/system/health", healthSchema, health);
  // Contract 1.7: the readiness gate polls /health, which the reference lacks.
  app.get("/health", healthSchema, health);
  return app;
}
