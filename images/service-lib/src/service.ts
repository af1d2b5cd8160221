/**
 * The life of a service process: config, logs, metrics and tracing at start; its database and bus
 * connections; its HTTP server; and a graceful stop on SIGTERM or SIGINT: readiness fails first, the
 * server stops accepting and finishes in-flight requests, then the connections drain and close.
 */
import type { DatabaseConfig, Env } from "./config.js";
import { corsPolicy } from "./config.js";
import { MessageBus, type BusOptions } from "./bus.js";
import { Database } from "./database.js";
import { createHttpService, type HttpService, type HttpServiceOptions, type ReadinessCheck } from "./http.js";
import type { DestinationStream } from "pino";
import { createLogger, type Logger } from "./logging.js";
import { createMetrics, type ServiceMetrics } from "./metrics.js";
import { startTracing, type Tracing } from "./telemetry.js";

export class Service {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  private readonly tracing: Tracing;
  private readonly checks: ReadinessCheck[] = [];
  /** Closed in reverse order of opening on stop. */
  private readonly resources: { close(): Promise<void> }[] = [];
  private readonly http: HttpService[] = [];
  private accepting = true;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly env: Env = process.env,
    /** Where log lines go; stdout unless a test captures them. */
    logDestination?: DestinationStream,
  ) {
    this.tracing = startTracing(name, env);
    this.logger = createLogger(name, env, logDestination);
    this.metrics = createMetrics(name);
  }

  addReadinessCheck(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  /** Whether the service still takes new work (false once a stop has begun). */
  isAccepting(): boolean {
    return this.accepting;
  }

  /** A connection pool that readiness checks and the stop closes. */
  database(config: DatabaseConfig, poolSize?: number): Database {
    const database = new Database(config, this.logger, poolSize);
    this.addReadinessCheck({ name: "db", isReady: () => database.isReady() });
    this.resources.push(database);
    return database;
  }

  /** A reconnecting NATS connection that readiness checks and the stop drains. */
  bus(options: Omit<BusOptions, "component">): MessageBus {
    const bus = new MessageBus({ ...options, component: this.name }, this.logger, this.metrics);
    this.addReadinessCheck({ name: `messageBus.${options.role}`, isReady: () => bus.isConnected() });
    this.resources.push(bus);
    return bus;
  }

  /** Something else to close on stop, after the HTTP server and before earlier resources. */
  onStop(resource: { close(): Promise<void> }): void {
    this.resources.push(resource);
  }

  async httpService(
    options: Omit<HttpServiceOptions, "service" | "logger" | "metrics" | "cors" | "readiness" | "accepting">,
  ): Promise<HttpService> {
    const app = await createHttpService({
      ...options,
      service: this.name,
      logger: this.logger,
      metrics: this.metrics,
      cors: corsPolicy(this.env),
      readiness: () => this.checks,
      accepting: () => this.accepting,
    });
    this.http.push(app);
    return app;
  }

  /** Starts listening; returns the bound port (useful with port 0). */
  async listen(app: HttpService, port: number, host = "0.0.0.0"): Promise<number> {
    await app.listen({ port, host });
    const address = app.server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    this.logger.info({ port: bound }, "listening");
    return bound;
  }

  /** Stops gracefully; later calls share the first stop. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.accepting = false;
    this.logger.info("stopping: finishing in-flight requests");
    await Promise.all(this.http.map((app) => app.close()));
    for (const resource of [...this.resources].reverse()) {
      await resource.close().catch((error: unknown) => this.logger.warn({ err: error }, "close failed"));
    }
    await this.tracing.shutdown().catch(() => undefined);
    this.logger.info("stopped");
  }

  /**
   * Stops on SIGTERM/SIGINT and exits 0, or 1 when the stop exceeds `graceMs` (kept below the pod's
   * terminationGracePeriodSeconds so the process, not the kubelet, decides how it ends).
   */
  exitOnSignals(graceMs = 20_000): void {
    const onSignal = (signal: NodeJS.Signals) => {
      this.logger.info({ signal }, "signal received");
      setTimeout(() => {
        this.logger.error({ graceMs }, "stop took too long; exiting");
        process.exit(1);
      }, graceMs).unref();
      void this.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          this.logger.error({ err: error }, "stop failed");
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
}

/**
 * Entry point of a service's `main.ts`: builds it, starts it, and exits with a clear message when
 * configuration is wrong or start fails.
 */
export async function runService(name: string, start: (service: Service) => Promise<void>): Promise<void> {
  const service = new Service(name);
  try {
    service.exitOnSignals();
    await start(service);
  } catch (error) {
    service.logger.fatal({ err: error }, `${name} failed to start: ${(error as Error).message}`);
    await service.stop().catch(() => undefined);
    process.exit(1);
  }
}
