/**
 * One NATS connection with a role (publisher or subscriber), reconnecting forever (contract 1.1). Its
 * state feeds `/system/health`, readiness and `traderx_messagebus_connected{component,role}`.
 */
import { SpanKind } from "@opentelemetry/api";
import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "./logging.js";
import type { ServiceMetrics } from "./metrics.js";
import { contextFromCarrier, injectIntoCarrier, inSpan, type HeaderCarrier } from "./telemetry.js";

export type BusStatus = "connected" | "disconnected" | "reconnecting";

export interface BusOptions {
  address: string;
  /** NATS client name, reported as `clientId` (`trade-service`, `trade-processor-subscriber`…). */
  clientId: string;
  /** `component` label of the connectivity gauge; the service name. */
  component: string;
  role: "publisher" | "subscriber";
}

/** `/system/health` view of one connection (contract 1.6, 1.7). */
export interface BusHealth {
  status: BusStatus;
  address: string;
  clientId: string;
  uptimeSeconds: number;
}

export class BusUnavailableError extends Error {
  constructor(address: string) {
    super(`message bus ${address} is not connected`);
    this.name = "BusUnavailableError";
  }
}

function carrierOf(hdrs: MsgHdrs): HeaderCarrier {
  return {
    get: (name) => (hdrs.has(name) ? hdrs.get(name) : undefined),
    set: (name, value) => hdrs.set(name, value),
  };
}

/** NATS headers carrying the active trace and correlation id. */
export function tracingHeaders(): MsgHdrs {
  const hdrs = natsHeaders();
  injectIntoCarrier(carrierOf(hdrs));
  return hdrs;
}

/** Runs the handling of a received message inside a consumer span that continues the sender's trace. */
export function handleInTrace<T>(
  subject: string,
  hdrs: MsgHdrs | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const parent = contextFromCarrier(hdrs ? carrierOf(hdrs) : { get: () => undefined, set: () => undefined });
  return inSpan(`receive ${subject}`, SpanKind.CONSUMER, parent, () => work());
}

export class MessageBus {
  private nc: NatsConnection | undefined;
  private state: BusStatus = "disconnected";
  private connectedSince: number | undefined;
  private closing = false;
  private readonly connected: Promise<NatsConnection>;

  constructor(
    readonly options: BusOptions,
    private readonly logger: Logger,
    private readonly metrics: ServiceMetrics,
  ) {
    this.setState("disconnected");
    this.connected = this.connectForever();
    // The connection outlives failures: callers that need it await `connection()`.
    this.connected.catch(() => undefined);
  }

  private setState(state: BusStatus): void {
    this.state = state;
    this.connectedSince = state === "connected" ? (this.connectedSince ?? Date.now()) : undefined;
    const labels = { component: this.options.component, role: this.options.role };
    this.metrics.messageBusConnected.set(labels, state === "connected" ? 1 : 0);
  }

  private async connectForever(): Promise<NatsConnection> {
    const nc = await connect({
      servers: this.options.address,
      name: this.options.clientId,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
    if (this.closing) {
      await nc.close();
      throw new BusUnavailableError(this.options.address);
    }
    this.nc = nc;
    this.setState("connected");
    this.logger.info({ address: this.options.address, role: this.options.role }, "message bus connected");
    void this.followStatus(nc);
    return nc;
  }

  private async followStatus(nc: NatsConnection): Promise<void> {
    for await (const event of nc.status()) {
      if (event.type === "disconnect") {
        this.setState("disconnected");
        this.logger.warn(
          { address: this.options.address, role: this.options.role },
          "message bus disconnected",
        );
      } else if (event.type === "reconnecting") {
        this.setState("reconnecting");
      } else if (event.type === "reconnect") {
        this.setState("connected");
        this.logger.info(
          { address: this.options.address, role: this.options.role },
          "message bus reconnected",
        );
      }
    }
    this.setState("disconnected");
  }

  status(): BusStatus {
    return this.state;
  }

  isConnected(): boolean {
    return this.state === "connected";
  }

  health(): BusHealth {
    return {
      status: this.state,
      address: this.options.address,
      clientId: this.options.clientId,
      uptimeSeconds: this.connectedSince ? Math.floor((Date.now() - this.connectedSince) / 1000) : 0,
    };
  }

  /** The connection, once first established. */
  connection(): Promise<NatsConnection> {
    return this.connected;
  }

  /** Plain publish of a JSON message with trace headers; throws BusUnavailableError while disconnected. */
  publishJson(subject: string, message: unknown): void {
    if (!this.nc || !this.isConnected()) throw new BusUnavailableError(this.options.address);
    this.nc.publish(subject, JSON.stringify(message), { headers: tracingHeaders() });
  }

  /** Drains subscriptions and pending publishes, then closes. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.nc && !this.nc.isClosed()) {
      await this.nc.drain().catch(() => this.nc?.close());
    }
    this.setState("disconnected");
  }
}
