/**
 * Renders Tempo's config for the pinned `grafana/tempo:2.8.2`, single binary.
 *
 * Tempo 2.x choices this implies:
 * - OTLP receivers on explicit `0.0.0.0:4317` (gRPC) and `0.0.0.0:4318` (HTTP): since 2.7 a receiver
 *   without an endpoint binds to localhost only and would be unreachable through its Service.
 * - Local block storage with a 5 m max block and 24 h retention (contract 7.3), all under one writable
 *   folder (an emptyDir in the pod).
 * - The metrics generator runs the `service-graphs` and `span-metrics` processors, enabled per tenant in
 *   the `overrides.defaults` block (the 2.x overrides format), and remote-writes the series to Prometheus.
 *   Grafana's service map reads `traces_service_graph_request_total` and friends from there.
 */
import { stringify } from "yaml";

export interface TempoConfigInput {
  httpPort: number;
  otlpGrpcPort: number;
  otlpHttpPort: number;
  /** Writable folder for the WAL, blocks and the generator (an emptyDir in the pod). */
  dataDir: string;
  /** Prometheus remote-write URL, e.g. `http://prometheus:9090/prometheus/api/v1/write`. */
  remoteWriteUrl: string;
}

export function renderTempoConfig(input: TempoConfigInput): string {
  const dir = input.dataDir.replace(/\/$/, "");
  return stringify({
    stream_over_http_enabled: true,
    server: { http_listen_address: "0.0.0.0", http_listen_port: input.httpPort, log_level: "info" },
    distributor: {
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `0.0.0.0:${input.otlpGrpcPort}` },
            http: { endpoint: `0.0.0.0:${input.otlpHttpPort}` },
          },
        },
      },
    },
    ingester: { max_block_duration: "5m" },
    compactor: { compaction: { block_retention: "24h" } },
    metrics_generator: {
      registry: { external_labels: { source: "tempo" } },
      storage: {
        path: `${dir}/generator/wal`,
        remote_write: [{ url: input.remoteWriteUrl, send_exemplars: true }],
      },
      traces_storage: { path: `${dir}/generator/traces` },
    },
    storage: {
      trace: {
        backend: "local",
        wal: { path: `${dir}/wal` },
        local: { path: `${dir}/blocks` },
      },
    },
    overrides: { defaults: { metrics_generator: { processors: ["service-graphs", "span-metrics"] } } },
    usage_report: { reporting_enabled: false },
  });
}
