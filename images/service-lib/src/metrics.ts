/**
 * Prometheus metrics. Each service owns a registry (tests run several services in one process), with the
 * Node.js process metrics, the Micrometer-compatible HTTP histogram the dashboards and contract 6.2 query,
 * and the message-bus connectivity gauge.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  /** `http_server_requests_seconds{method,uri,status}`; `uri` is the route template, never the raw path. */
  httpRequests: Histogram<"method" | "uri" | "status">;
  /** `traderx_messagebus_connected{component,role}`: 1 while a NATS connection is up. */
  messageBusConnected: Gauge<"component" | "role">;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ application: service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: "http_server_requests_seconds",
      help: "Duration of HTTP server requests by method, route template and status.",
      labelNames: ["method", "uri", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    messageBusConnected: new Gauge({
      name: "traderx_messagebus_connected",
      help: "1 while the service's NATS connection for this role is connected, else 0.",
      labelNames: ["component", "role"],
      registers: [registry],
    }),
  };
}
