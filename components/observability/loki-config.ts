/**
 * Renders Loki's config for the pinned `grafana/loki:3.5.8`, single binary (`-target=all`).
 *
 * Loki 3 choices this implies:
 * - TSDB index with schema v13 (the only schema that stores structured metadata, which OTLP ingestion
 *   needs), 24 h `index_` tables, from 2024-01-01 as in contract 7.3.
 * - Native OTLP ingestion on `/otlp/v1/logs` (on by default in 3.x; `allow_structured_metadata` is set
 *   explicitly so the intent is visible). Resource attributes `compose_project`, `service` and `job` are
 *   promoted to index labels: contract 6.2 check 15 queries `{compose_project="traderx-state-009"}` and
 *   filters on `service`. Loki 3 promotes only a fixed list (`service.name`, `k8s.*`, …) by default.
 * - Filesystem storage and an in-memory ring: one replica, no object store, nothing to coordinate.
 * - The compactor applies retention; since 3.0 it needs `delete_request_store` when retention is on.
 */
import { stringify } from "yaml";

/** Labels the log pipelines set on every stream (contract 7.3); dashboards and smoke tests use them. */
export const LOG_STREAM_LABELS = {
  composeProject: { name: "compose_project", value: "traderx-state-009" },
  job: { name: "job", value: "traderx-docker" },
  /** The container name, which is the catalog workload name. */
  service: { name: "service" },
} as const;

export interface LokiConfigInput {
  httpPort: number;
  grpcPort: number;
  /** Writable folder for chunks, index and the compactor (an emptyDir in the pod). */
  dataDir: string;
  retention: string;
}

export function renderLokiConfig(input: LokiConfigInput): string {
  const dir = input.dataDir.replace(/\/$/, "");
  return stringify({
    auth_enabled: false,
    server: {
      http_listen_address: "0.0.0.0",
      http_listen_port: input.httpPort,
      grpc_listen_address: "0.0.0.0",
      grpc_listen_port: input.grpcPort,
      log_format: "json",
      log_level: "info",
    },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: dir,
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
      storage: { filesystem: { chunks_directory: `${dir}/chunks`, rules_directory: `${dir}/rules` } },
    },
    schema_config: {
      configs: [
        {
          from: "2024-01-01",
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    limits_config: {
      allow_structured_metadata: true,
      reject_old_samples: true,
      reject_old_samples_max_age: "168h",
      retention_period: input.retention,
      volume_enabled: true,
      otlp_config: {
        resource_attributes: {
          attributes_config: [
            {
              action: "index_label",
              attributes: [
                LOG_STREAM_LABELS.composeProject.name,
                LOG_STREAM_LABELS.service.name,
                LOG_STREAM_LABELS.job.name,
              ],
            },
          ],
        },
      },
    },
    compactor: {
      working_directory: `${dir}/compactor`,
      retention_enabled: true,
      delete_request_store: "filesystem",
    },
    analytics: { reporting_enabled: false },
  });
}
