/**
 * Renders the two OpenTelemetry collector configs for the pinned
 * `otel/opentelemetry-collector-contrib:0.139.0`:
 * - the gateway (Deployment): OTLP in; traces to Tempo over OTLP gRPC, metrics to Prometheus's native OTLP
 *   receiver, logs to Loki's OTLP endpoint over HTTP;
 * - the node log agent (DaemonSet): the filelog receiver tails `/var/log/pods/<namespace>_*` and pushes to
 *   Loki over OTLP HTTP. It replaces Promtail, which is end-of-life.
 *
 * Collector 0.139 choices this implies:
 * - Every server endpoint is an explicit `0.0.0.0:<port>`: since 0.104 the default is localhost, which a
 *   Service cannot reach.
 * - Own telemetry through `service.telemetry.metrics.readers` (a pull Prometheus reader on 8888); the
 *   older `telemetry.metrics.address` key is gone.
 * - Loki is reached through its native OTLP endpoint with the `otlphttp` exporter; the `loki` exporter
 *   was removed from contrib.
 * - The filelog `container` operator parses CRI lines and sets `k8s.namespace.name`, `k8s.pod.name`,
 *   `k8s.pod.uid` and `k8s.container.name` from the file path.
 * - The transform processor (OTTL, resource context) adds the contract's stream labels, which Loki
 *   promotes to index labels (see `loki-config.ts`).
 */
import { stringify } from "yaml";
import { LOG_STREAM_LABELS } from "./loki-config";

export interface CollectorPorts {
  health: number;
  telemetry: number;
}

/** Extension, telemetry and processors both collectors share. */
function commonParts(ports: CollectorPorts) {
  return {
    extensions: { health_check: { endpoint: `0.0.0.0:${ports.health}` } },
    processors: {
      // Refuse data before the container's memory limit is reached instead of being OOM-killed.
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
      batch: { timeout: "1s" },
    },
    telemetry: {
      logs: { level: "info", encoding: "json" },
      metrics: {
        level: "normal",
        readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: ports.telemetry } } } }],
      },
    },
  };
}

/** OTTL statements that give a log stream the labels contract 6.2 check 15 and the dashboards query. */
function contractLabelStatements(serviceAttribute: string): string[] {
  return [
    `set(attributes["${LOG_STREAM_LABELS.composeProject.name}"], "${LOG_STREAM_LABELS.composeProject.value}")`,
    `set(attributes["${LOG_STREAM_LABELS.job.name}"], "${LOG_STREAM_LABELS.job.value}")`,
    `set(attributes["${LOG_STREAM_LABELS.service.name}"], attributes["${serviceAttribute}"])`,
  ];
}

export interface GatewayConfigInput {
  ports: CollectorPorts & { otlpGrpc: number; otlpHttp: number };
  /** `host:port` of Tempo's OTLP gRPC receiver. */
  tempoOtlpGrpc: string;
  /** Prometheus's OTLP metrics URL, e.g. `http://prometheus:9090/prometheus/api/v1/otlp/v1/metrics`. */
  prometheusOtlpMetricsUrl: string;
  /** Loki's OTLP logs URL, e.g. `http://loki:3100/otlp/v1/logs`. */
  lokiOtlpLogsUrl: string;
}

export function renderGatewayCollectorConfig(input: GatewayConfigInput): string {
  const common = commonParts(input.ports);
  return stringify({
    extensions: common.extensions,
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${input.ports.otlpGrpc}` },
          http: { endpoint: `0.0.0.0:${input.ports.otlpHttp}` },
        },
      },
    },
    processors: {
      ...common.processors,
      "transform/contract-labels": {
        log_statements: [{ context: "resource", statements: contractLabelStatements("service.name") }],
      },
    },
    exporters: {
      "otlp/tempo": { endpoint: input.tempoOtlpGrpc, tls: { insecure: true } },
      "otlphttp/prometheus": { metrics_endpoint: input.prometheusOtlpMetricsUrl },
      "otlphttp/loki": { logs_endpoint: input.lokiOtlpLogsUrl },
    },
    service: {
      extensions: ["health_check"],
      telemetry: common.telemetry,
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: ["otlp/tempo"] },
        metrics: {
          receivers: ["otlp"],
          processors: ["memory_limiter", "batch"],
          exporters: ["otlphttp/prometheus"],
        },
        logs: {
          receivers: ["otlp"],
          processors: ["memory_limiter", "transform/contract-labels", "batch"],
          exporters: ["otlphttp/loki"],
        },
      },
    },
  });
}

/** Where kubelet writes container logs on every node. */
export const NODE_POD_LOGS_DIR = "/var/log/pods";

export interface LogAgentConfigInput {
  ports: CollectorPorts;
  /** Namespaces whose pod logs are shipped; the agent's own namespace is left out to avoid a loop. */
  namespaces: readonly string[];
  /** Loki's OTLP logs URL, with the namespace-qualified host (the agent runs in another namespace). */
  lokiOtlpLogsUrl: string;
  /** Writable folder for the file_storage extension, which keeps read offsets across restarts. */
  storageDir: string;
}

export function renderLogAgentCollectorConfig(input: LogAgentConfigInput): string {
  if (input.namespaces.length === 0) throw new Error("log agent: at least one namespace to ship is required");
  const common = commonParts(input.ports);
  return stringify({
    extensions: {
      ...common.extensions,
      file_storage: { directory: input.storageDir, create_directory: true },
    },
    receivers: {
      filelog: {
        include: input.namespaces.map((ns) => `${NODE_POD_LOGS_DIR}/${ns}_*/*/*.log`),
        start_at: "beginning",
        include_file_path: true,
        include_file_name: false,
        storage: "file_storage",
        operators: [{ type: "container", id: "container-parser", add_metadata_from_filepath: true }],
      },
    },
    processors: {
      ...common.processors,
      "transform/contract-labels": {
        log_statements: [{ context: "resource", statements: contractLabelStatements("k8s.container.name") }],
      },
    },
    exporters: { "otlphttp/loki": { logs_endpoint: input.lokiOtlpLogsUrl } },
    service: {
      extensions: ["health_check", "file_storage"],
      telemetry: common.telemetry,
      pipelines: {
        logs: {
          receivers: ["filelog"],
          processors: ["memory_limiter", "transform/contract-labels", "batch"],
          exporters: ["otlphttp/loki"],
        },
      },
    },
  });
}
