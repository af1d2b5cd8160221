/**
 * The TraderX dashboards, as code. Every PromQL expression names metrics that a catalog workload or an
 * exporter of the stack exposes (the observability tests check this against the services' metric code and
 * the exporters' declared families); LogQL expressions select streams by the labels the log pipelines set
 * (`compose_project`, `service`, `job`).
 *
 * Label conventions: every scraped series has `service` (the catalog workload) from the scrape config;
 * blackbox series have `instance` = probed URL and `probe_via` = `direct` | `edge`.
 */
import { LOG_STREAM_LABELS } from "../loki-config";
import { HTTP_PROBE_JOB } from "../prometheus-config";
import {
  Dashboard,
  dashboard,
  labelVariable,
  logs,
  loki,
  prom,
  promInstant,
  stat,
  table,
  timeseries,
} from "./dashboard-model";

const PROBE = `job="${HTTP_PROBE_JOB}"`;
const ALL_LOGS = `${LOG_STREAM_LABELS.composeProject.name}="${LOG_STREAM_LABELS.composeProject.value}"`;
const REQUESTS = "http_server_requests_seconds";
/** Loki streams of one service. */
const serviceLogs = (service: string) => `{${ALL_LOGS}, service="${service}"}`;

const runtimeHealth = dashboard({
  uid: "traderx-runtime-health",
  title: "TraderX Runtime Health",
  description: "Blackbox probes of every catalog target and edge route, and the scrape health of every job.",
  panels: [
    stat("Availability (5m)", [promInstant(`avg(avg_over_time(probe_success{${PROBE}}[5m]))`)], {
      unit: "percentunit",
      min: 0,
      max: 1,
    }),
    stat("Failing endpoints", [promInstant(`count(probe_success{${PROBE}} == 0) or vector(0)`)]),
    stat("Monitored endpoints", [promInstant(`count(probe_success{${PROBE}})`)]),
    stat("Scrape targets down", [promInstant("count(up == 0) or vector(0)")]),
    timeseries("Probe success per target", [prom(`probe_success{${PROBE}}`, "{{instance}}")], {
      min: 0,
      max: 1,
    }),
    timeseries("Probe duration per target", [prom(`probe_duration_seconds{${PROBE}}`, "{{instance}}")], {
      unit: "s",
    }),
    table(
      "Probe status",
      [
        promInstant(`probe_success{${PROBE}}`, "{{instance}}"),
        promInstant(`probe_http_status_code{${PROBE}}`, "{{instance}}"),
      ],
      { upDown: true },
    ),
    timeseries("Scrape targets up per job", [prom("sum by (job) (up)", "{{job}}")]),
    timeseries("Scrape duration per job", [prom("max by (job) (scrape_duration_seconds)", "{{job}}")], {
      unit: "s",
    }),
    timeseries("Collector exporter queue", [
      prom("sum by (exporter) (otelcol_exporter_queue_size)", "{{exporter}} size"),
      prom("sum by (exporter) (otelcol_exporter_queue_capacity)", "{{exporter}} capacity"),
    ]),
    timeseries("Prometheus head series", [prom("prometheus_tsdb_head_series", "series")]),
  ],
});

const edgeGateway = dashboard({
  uid: "traderx-edge-gateway",
  title: "TraderX Edge Gateway",
  description:
    "Latency and error rate at the edge, from the edge's JSON access log in Loki and from blackbox probes sent through the edge.",
  panels: [
    timeseries(
      "Requests per second by status",
      [loki(`sum by (status) (rate(${serviceLogs("edge-proxy")} | json | __error__="" [5m]))`, "{{status}}")],
      { unit: "reqps" },
    ),
    timeseries(
      "5xx share of requests",
      [
        loki(
          `sum(rate(${serviceLogs("edge-proxy")} | json | status =~ "5.." [5m])) / sum(rate(${serviceLogs("edge-proxy")} | json | __error__="" [5m]))`,
          "5xx share",
        ),
      ],
      { unit: "percentunit", min: 0 },
    ),
    timeseries(
      "Request time p50 / p95 / p99",
      [0.5, 0.95, 0.99].map((q) =>
        loki(
          `quantile_over_time(${q}, ${serviceLogs("edge-proxy")} | json | __error__="" | unwrap request_time [5m]) by (service)`,
          `p${Math.round(q * 100)}`,
        ),
      ),
      { unit: "s" },
    ),
    timeseries(
      "Request time p95 by route prefix",
      [
        loki(
          `quantile_over_time(0.95, ${serviceLogs("edge-proxy")} | json | __error__="" | line_format "{{.uri}}" | regexp "^(?P<route>/[^/?]*)" | unwrap request_time [5m]) by (route)`,
          "{{route}}",
        ),
      ],
      { unit: "s" },
    ),
    timeseries(
      "Probes through the edge: success",
      [prom(`probe_success{${PROBE}, probe_via="edge"}`, "{{instance}}")],
      { min: 0, max: 1 },
    ),
    timeseries(
      "Probes through the edge: duration",
      [prom(`probe_duration_seconds{${PROBE}, probe_via="edge"}`, "{{instance}}")],
      { unit: "s" },
    ),
    logs("Edge 5xx responses", [loki(`${serviceLogs("edge-proxy")} | json | status =~ "5.."`)]),
  ],
});

const serviceRed = dashboard({
  uid: "traderx-service-red",
  title: "TraderX Service RED",
  description: `Rate, errors and duration per service from the Micrometer-compatible ${REQUESTS} histogram.`,
  variables: [labelVariable("service", "prometheus", "service", `${REQUESTS}_count`)],
  panels: [
    timeseries(
      "Request rate",
      [prom(`sum by (service) (rate(${REQUESTS}_count{service=~"$service"}[5m]))`, "{{service}}")],
      { unit: "reqps" },
    ),
    timeseries(
      "5xx rate",
      [
        prom(
          `sum by (service) (rate(${REQUESTS}_count{service=~"$service", status=~"5.."}[5m]))`,
          "{{service}}",
        ),
      ],
      { unit: "reqps" },
    ),
    timeseries(
      "Error ratio (5xx / all)",
      [
        prom(
          `sum by (service) (rate(${REQUESTS}_count{service=~"$service", status=~"5.."}[5m])) / sum by (service) (rate(${REQUESTS}_count{service=~"$service"}[5m]))`,
          "{{service}}",
        ),
      ],
      { unit: "percentunit", min: 0 },
    ),
    timeseries(
      "Latency p95",
      [
        prom(
          `histogram_quantile(0.95, sum by (service, le) (rate(${REQUESTS}_bucket{service=~"$service"}[5m])))`,
          "{{service}}",
        ),
      ],
      { unit: "s" },
    ),
    timeseries(
      "Average latency",
      [
        prom(
          `sum by (service) (rate(${REQUESTS}_sum{service=~"$service"}[5m])) / sum by (service) (rate(${REQUESTS}_count{service=~"$service"}[5m]))`,
          "{{service}}",
        ),
      ],
      { unit: "s" },
    ),
    table("Slowest routes (p95, 5m)", [
      promInstant(
        `topk(10, histogram_quantile(0.95, sum by (service, uri, le) (rate(${REQUESTS}_bucket{service=~"$service"}[5m]))))`,
        "{{service}} {{uri}}",
      ),
    ]),
    timeseries(
      "Process CPU",
      [prom(`sum by (service) (rate(process_cpu_seconds_total{service=~"$service"}[5m]))`, "{{service}}")],
      { unit: "percentunit" },
    ),
    timeseries(
      "Resident memory",
      [prom(`sum by (service) (process_resident_memory_bytes{service=~"$service"})`, "{{service}}")],
      { unit: "bytes" },
    ),
  ],
});

const messageBus = dashboard({
  uid: "traderx-message-bus-connectivity",
  title: "TraderX Message Bus Connectivity",
  description: "NATS connection state of every publisher and subscriber, and the broker's own health.",
  panels: [
    stat("Connections down", [promInstant("count(traderx_messagebus_connected == 0) or vector(0)")]),
    stat("Connections up", [promInstant("count(traderx_messagebus_connected == 1) or vector(0)")]),
    stat("NATS monitor probe", [promInstant(`max(probe_success{${PROBE}, service="nats-broker"})`)], {
      upDown: true,
    }),
    stat("Components reporting", [promInstant("count(count by (service) (traderx_messagebus_connected))")]),
    timeseries(
      "Bus connection per component and role",
      [prom("traderx_messagebus_connected", "{{component}} / {{role}}")],
      { min: 0, max: 1, width: 24 },
    ),
    logs("Messaging logs", [
      loki(
        `{${ALL_LOGS}, service=~"nats-broker|trade-service|trade-processor|price-publisher|order-matcher"} |~ "(?i)nats|bus"`,
      ),
    ]),
  ],
});

const orderManagement = dashboard({
  uid: "traderx-order-management-observability",
  title: "TraderX Order Management Observability",
  description: "The order-matcher metric set of contract 1.9: book size, events, fills and match latency.",
  panels: [
    stat("Open orders", [promInstant("sum(traderx_orders_open_total)")]),
    stat("Unfilled orders", [promInstant("sum(traderx_orders_unfilled_total)")]),
    stat("Trade submit failures", [promInstant("sum(traderx_order_trade_submit_failures_total)")]),
    stat(
      "Auto-fill success ratio (15m)",
      [
        promInstant(
          "sum(increase(traderx_order_autofill_success_total[15m])) / sum(increase(traderx_order_autofill_attempts_total[15m]))",
        ),
      ],
      { unit: "percentunit" },
    ),
    timeseries("Order events per second by type", [
      prom("sum by (event) (rate(traderx_order_events_total[5m]))", "{{event}}"),
    ]),
    timeseries("Pending orders by side", [
      prom("sum by (side) (traderx_orders_pending_by_side)", "{{side}}"),
    ]),
    timeseries(
      "Match latency p50 / p95",
      [0.5, 0.95].map((q) =>
        prom(
          `histogram_quantile(${q}, sum by (le) (rate(traderx_order_match_latency_seconds_bucket[5m])))`,
          `p${Math.round(q * 100)}`,
        ),
      ),
      { unit: "s" },
    ),
    timeseries("Matcher ticks and auto-fill attempts per second", [
      prom("sum(rate(traderx_order_matcher_ticks_total[5m]))", "ticks"),
      prom("sum(rate(traderx_order_autofill_attempts_total[5m]))", "attempts"),
      prom("sum(rate(traderx_order_autofill_success_total[5m]))", "successes"),
    ]),
    timeseries(
      "order-matcher HTTP p95 by route",
      [
        prom(
          `histogram_quantile(0.95, sum by (uri, le) (rate(${REQUESTS}_bucket{service="order-matcher"}[5m])))`,
          "{{uri}}",
        ),
      ],
      { unit: "s", width: 24 },
    ),
    logs("Matcher logs", [loki(serviceLogs("order-matcher"))]),
  ],
});

const pricingPipeline = dashboard({
  uid: "traderx-pricing-pipeline-health",
  title: "TraderX Pricing Pipeline Health",
  description: "price-publisher and NATS health, quote latency, and what trade-service sees of pricing.",
  panels: [
    stat("price-publisher probes", [promInstant(`min(probe_success{${PROBE}, service="price-publisher"})`)], {
      upDown: true,
    }),
    stat("NATS probe", [promInstant(`min(probe_success{${PROBE}, service="nats-broker"})`)], {
      upDown: true,
    }),
    stat(
      "price-publisher bus",
      [promInstant('min(traderx_messagebus_connected{service="price-publisher"})')],
      { upDown: true },
    ),
    stat("Quote requests (5m)", [
      promInstant(`sum(increase(${REQUESTS}_count{service="price-publisher"}[5m]))`),
    ]),
    timeseries(
      "Quote probe duration",
      [prom(`probe_duration_seconds{${PROBE}, service="price-publisher"}`, "{{instance}}")],
      { unit: "s" },
    ),
    timeseries(
      "price-publisher latency p95 by route",
      [
        prom(
          `histogram_quantile(0.95, sum by (uri, le) (rate(${REQUESTS}_bucket{service="price-publisher"}[5m])))`,
          "{{uri}}",
        ),
      ],
      { unit: "s" },
    ),
    timeseries(
      "Pricing and trade endpoint success",
      [prom(`probe_success{${PROBE}, service=~"price-publisher|trade-service"}`, "{{instance}}")],
      { min: 0, max: 1 },
    ),
    timeseries("Pipeline log lines per second", [
      loki(
        `sum by (service) (rate({${ALL_LOGS}, service=~"price-publisher|trade-service|order-matcher"}[5m]))`,
        "{{service}}",
      ),
    ]),
    logs("Pricing logs", [loki(serviceLogs("price-publisher"))]),
  ],
});

const logsAndErrors = dashboard({
  uid: "traderx-logs-errors",
  title: "TraderX Logs & Errors",
  description: "Log volume and errors of every TraderX container, shipped by the node log agent.",
  variables: [labelVariable("service", "loki", "service", `{${ALL_LOGS}}`)],
  panels: [
    timeseries("Log lines per second by service", [
      loki(`sum by (service) (rate({${ALL_LOGS}, service=~"$service"}[1m]))`, "{{service}}"),
    ]),
    timeseries("Errors and warnings per second", [
      loki(
        `sum by (service, level) (rate({${ALL_LOGS}, service=~"$service"} | json | level=~"error|warn|fatal" [5m]))`,
        "{{service}} {{level}}",
      ),
    ]),
    logs("Live logs", [loki(`{${ALL_LOGS}, service=~"$service"}`)]),
    logs("Errors", [loki(`{${ALL_LOGS}, service=~"$service"} | json | level=~"error|fatal"`)]),
  ],
});

const databaseHealth = dashboard({
  uid: "traderx-database-health",
  title: "TraderX Database Health",
  description:
    "PostgreSQL health and connection saturation from the postgres exporter: every connection counts, whatever opened it.",
  panels: [
    stat("PostgreSQL up", [promInstant("max(pg_up)")], { upDown: true }),
    stat(
      "Connection saturation",
      [promInstant("sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)")],
      { unit: "percentunit", min: 0, max: 1 },
    ),
    stat("Connections", [promInstant("sum(pg_stat_database_numbackends)")]),
    stat("max_connections", [promInstant("max(pg_settings_max_connections)")]),
    timeseries("Connections per database", [
      prom("sum by (datname) (pg_stat_database_numbackends)", "{{datname}}"),
      prom("max(pg_settings_max_connections)", "max_connections"),
    ]),
    timeseries("Transactions per second", [
      prom('sum(rate(pg_stat_database_xact_commit{datname="traderx"}[5m]))', "commits"),
      prom('sum(rate(pg_stat_database_xact_rollback{datname="traderx"}[5m]))', "rollbacks"),
    ]),
    timeseries("Deadlocks and conflicts", [
      prom('sum(increase(pg_stat_database_deadlocks{datname="traderx"}[5m]))', "deadlocks"),
      prom('sum(increase(pg_stat_database_conflicts{datname="traderx"}[5m]))', "conflicts"),
    ]),
    timeseries("Database size", [prom('pg_database_size_bytes{datname="traderx"}', "traderx")], {
      unit: "bytes",
    }),
    logs("Database logs", [loki(serviceLogs("database"))]),
  ],
});

/** Every dashboard provisioned into the `TraderX` folder. */
export const traderxDashboards: readonly Dashboard[] = [
  runtimeHealth,
  edgeGateway,
  serviceRed,
  messageBus,
  orderManagement,
  pricingPipeline,
  logsAndErrors,
  databaseHealth,
];

/** Dashboard files for the provider's folder: `<uid>.json` -> JSON text. */
export function renderDashboardFiles(
  dashboards: readonly Dashboard[] = traderxDashboards,
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const d of dashboards) {
    const name = `${d.uid}.json`;
    if (files[name]) throw new Error(`two dashboards share the uid "${d.uid}"`);
    files[name] = JSON.stringify(d, null, 2);
  }
  return files;
}
