/**
 * The metric series the third-party workloads of the stack expose at their pinned versions, as far as
 * dashboards and alerts use them. TraderX's own services declare theirs in code (the service library's
 * registry and each service's metrics); together they are the vocabulary every PromQL expression must
 * stay within, which the observability tests enforce.
 *
 * The blackbox exporter's and Prometheus's entries are checked against the real binaries in the tests
 * (Debian's 0.23 and 2.42 expose the same names as the pinned 0.27 and 3.7 for these series); the others
 * follow the projects' documentation for the pinned versions.
 */

/** Series the Go runtime client adds to every Prometheus-project and Grafana Labs binary. */
const GO_PROCESS_SERIES = ["process_cpu_seconds_total", "process_resident_memory_bytes", "go_goroutines"];

/** Series Prometheus itself records for every scrape target, whatever the target exposes. */
export const SCRAPE_SERIES = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
] as const;

/** Catalog workload name -> series it makes available in Prometheus. */
export const exporterMetricSeries: Readonly<Record<string, readonly string[]>> = {
  prometheus: [
    ...GO_PROCESS_SERIES,
    "prometheus_tsdb_head_series",
    "prometheus_config_last_reload_successful",
  ],
  // `/probe` results (job traderx-http-probe) and the exporter's own `/metrics`.
  "blackbox-exporter": [
    ...GO_PROCESS_SERIES,
    "probe_success",
    "probe_duration_seconds",
    "probe_http_status_code",
    "probe_http_duration_seconds",
    "probe_http_content_length",
    "blackbox_exporter_config_last_reload_successful",
  ],
  // The collector's own telemetry (pull reader on 8888, `level: normal`).
  "otel-collector": [
    "otelcol_exporter_queue_size",
    "otelcol_exporter_queue_capacity",
    "otelcol_process_memory_rss_bytes",
  ],
  loki: [
    ...GO_PROCESS_SERIES,
    "loki_distributor_lines_received_total",
    "loki_ingester_streams_created_total",
  ],
  // Tempo's own metrics, plus what its metrics generator remote-writes into Prometheus.
  tempo: [
    ...GO_PROCESS_SERIES,
    "tempo_distributor_spans_received_total",
    "traces_service_graph_request_total",
    "traces_service_graph_request_failed_total",
    "traces_spanmetrics_calls_total",
    "traces_spanmetrics_latency_bucket",
  ],
  // postgres_exporter 0.17 default collectors: database, stat_database, settings, locks.
  "postgres-exporter": [
    ...GO_PROCESS_SERIES,
    "pg_up",
    "pg_settings_max_connections",
    "pg_stat_database_numbackends",
    "pg_stat_database_xact_commit",
    "pg_stat_database_xact_rollback",
    "pg_stat_database_deadlocks",
    "pg_stat_database_conflicts",
    "pg_database_size_bytes",
    "pg_locks_count",
  ],
};
