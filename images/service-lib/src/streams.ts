/**
 * The JetStream stream that makes `/trades` durable (contract 2 plus design "NATS runs with JetStream").
 * trade-service publishes into it with an ack; trade-processor reads it through a durable consumer. Both
 * call `ensureTradeOrderStream` at start, so either may come up first. Plain subscribers of `/trades` (the
 * UI, smoke tests) still see every message: a stream captures a subject without taking it away.
 */
import { jetstreamManager, JetStreamApiError, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";

export const TRADE_ORDER_SUBJECT = "/trades";
export const TRADE_ORDER_STREAM = "TRADE_ORDERS";
/** How long the stream keeps a message, delivered or not. */
export const TRADE_ORDER_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** JetStream API error "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

export async function ensureTradeOrderStream(nc: NatsConnection): Promise<void> {
  const manager = await jetstreamManager(nc);
  const config = {
    name: TRADE_ORDER_STREAM,
    subjects: [TRADE_ORDER_SUBJECT],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    // Publishers retrying with the same message id within this window are stored once.
    duplicate_window: nanos(2 * 60 * 1000),
    max_age: nanos(TRADE_ORDER_MAX_AGE_MS),
    max_bytes: 512 * 1024 * 1024,
  };
  try {
    // Adding a stream that exists with the same configuration is a no-op on the server.
    await manager.streams.add(config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NAME_IN_USE) throw error;
    // It exists with an older configuration: bring it up to date, keeping its messages.
    await manager.streams.update(TRADE_ORDER_STREAM, config);
  }
}
