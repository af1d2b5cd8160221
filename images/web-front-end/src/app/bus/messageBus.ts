import type { ConnectionOptions, NatsConnection, Subscription } from "@nats-io/nats-core";

/**
 * The NATS client is loaded as its own chunk, after the first render: the page draws without waiting
 * for it, and the header says "Connecting" meanwhile.
 */
const loadAndConnect = (options: ConnectionOptions) =>
  import("@nats-io/nats-core").then(({ wsconnect }) => wsconnect(options));

const CONNECT_TIMEOUT_MS = 3000;

export type BusState = "connecting" | "connected" | "disconnected";

export type MessageHandler = (payload: unknown, subject: string) => void;

interface Registration {
  subject: string;
  handler: MessageHandler;
  active?: Subscription;
}

/** Publishers wrap their payload in `{topic, payload, date, from, type}`; plain messages are used whole (§2). */
export function unwrapEnvelope(message: unknown): unknown {
  if (message && typeof message === "object" && "payload" in message) {
    return (message as { payload: unknown }).payload;
  }
  return message;
}

/** ws(s)://<host>/nats-ws for the page's own origin (contract 1.10). */
export function busUrlFor(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/nats-ws`;
}

/**
 * The browser's connection to NATS through the edge's `/nats-ws`, using the official websocket client.
 * The client reconnects on its own and keeps its subscriptions; if a connection closes for good (or the
 * first connect fails) a fresh one is opened `retryMs` later and every registered subject re-subscribed.
 */
export class MessageBus {
  private readonly registrations = new Set<Registration>();
  private readonly stateListeners = new Set<(state: BusState) => void>();
  private connection: NatsConnection | undefined;
  private currentState: BusState = "connecting";
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly retryMs = 1000,
    private readonly connect: (options: ConnectionOptions) => Promise<NatsConnection> = loadAndConnect,
  ) {}

  get state(): BusState {
    return this.currentState;
  }

  start(): void {
    this.running ??= this.connectForever();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.connection?.close();
    await this.running;
  }

  onStateChange(listener: (state: BusState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  subscribe(subject: string, handler: MessageHandler): () => void {
    const registration: Registration = { subject, handler };
    this.registrations.add(registration);
    if (this.connection && !this.connection.isClosed()) this.activate(this.connection, registration);
    return () => {
      this.registrations.delete(registration);
      registration.active?.unsubscribe();
    };
  }

  private setState(state: BusState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private activate(connection: NatsConnection, registration: Registration): void {
    registration.active = connection.subscribe(registration.subject, {
      callback: (error, message) => {
        if (error) return;
        let body: unknown;
        try {
          body = message.json();
        } catch {
          return; // not JSON: no TraderX publisher sends such messages
        }
        registration.handler(unwrapEnvelope(body), message.subject);
      },
    });
  }

  private async connectForever(): Promise<void> {
    while (!this.stopped) {
      this.setState("connecting");
      try {
        const connection = await this.connect({
          servers: this.url,
          name: "traderx-web",
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: this.retryMs,
          // A websocket attempt that never opens (e.g. a proxy that holds it) counts as failed after this.
          timeout: CONNECT_TIMEOUT_MS,
          // Only the edge's /nats-ws is reachable from a browser; never try addresses the server advertises.
          ignoreClusterUpdates: true,
        });
        this.connection = connection;
        for (const registration of this.registrations) this.activate(connection, registration);
        this.setState("connected");
        void this.followStatus(connection);
        await connection.closed();
      } catch {
        // The first connect failed; retried below.
      }
      this.connection = undefined;
      if (this.stopped) break;
      this.setState("disconnected");
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
    this.setState("disconnected");
  }

  private async followStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === "disconnect") this.setState("disconnected");
      else if (status.type === "reconnecting") this.setState("connecting");
      else if (status.type === "reconnect") this.setState("connected");
    }
  }
}
