/**
 * The optional observability stack (`traderx:observability`), as catalog entries like any other workload:
 * ports, probes, resources, metrics endpoints, edge routes and readiness checks are declared here once, and
 * the Pulumi components, the Prometheus scrape jobs, the blackbox targets, the network policies and the edge
 * all read them from here. Config files are rendered by `components/observability`.
 *
 * Pinned images (config-format consequences are described where each config is rendered):
 * - `prom/prometheus:v3.7.3`: Prometheus 3 (UTF-8 names, native OTLP receiver behind a flag). The rendered
 *   config also passes Debian's promtool 2.42, which the local runtime and the tests use.
 * - `grafana/grafana:12.2.1`: provisioning files (datasources, dashboard providers) as in Grafana 10+.
 * - `grafana/loki:3.5.8`: single binary, TSDB index with schema v13, native OTLP endpoint `/otlp`.
 * - `grafana/tempo:2.8.2`: single binary; since 2.7 receivers bind to localhost unless told otherwise.
 * - `otel/opentelemetry-collector-contrib:0.139.0`: contrib build, for the filelog receiver, the transform
 *   processor and the file_storage extension.
 * - `prom/blackbox-exporter:v0.27.0`: module config unchanged since 0.23 (Debian), which validates it here.
 * - `quay.io/prometheuscommunity/postgres-exporter:v0.17.1`: database health and connection saturation.
 *
 * Sizes are for a laptop: the requests of the whole stack stay under 1 CPU and 1.2 GiB (see the footprint
 * test), the limits leave room for a burst of queries.
 */
import { traderxWorkloads } from "./workloads";
import { HttpCheck, ProbeCheck, ProbeTiming, Workload, WorkloadProbes } from "./types";

/** uid 65534 (`nobody`), the user of the Prometheus-project images. */
const NOBODY_UID = 65534;
/** uid of the `grafana` user in the Grafana image. */
const GRAFANA_UID = 472;
/** uid the Loki, Tempo and collector images run as. */
const GRAFANA_LABS_UID = 10001;

/** Grace period of the stack's pods: a 5 s preStop drain and time to flush buffers. */
const GRACE_SECONDS = 30;

function check(name: string, path: string): HttpCheck {
  return { name, path, expectStatus: 200 };
}

function httpProbes(
  port: string,
  readinessPath: string,
  livenessPath: string,
  startup?: Partial<ProbeTiming>,
): WorkloadProbes {
  const probe = (path: string, timing: ProbeTiming): ProbeCheck & ProbeTiming => ({
    kind: "http",
    path,
    port,
    ...timing,
  });
  return {
    readiness: probe(readinessPath, { periodSeconds: 10, timeoutSeconds: 3 }),
    liveness: probe(livenessPath, { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 }),
    ...(startup
      ? { startup: probe(readinessPath, { periodSeconds: 3, failureThreshold: 40, ...startup }) }
      : {}),
  };
}

/** Fields every stack workload shares, unless it says otherwise. */
function stackWorkload(
  fields: Pick<Workload, "name" | "description" | "image" | "ports" | "probes" | "resources" | "runAsUser"> &
    Partial<Workload>,
): Workload {
  return {
    tier: "observability",
    kind: "Deployment",
    env: () => ({}),
    calls: [],
    edgeRoutes: [],
    probeTargets: [],
    readinessChecks: [],
    terminationGracePeriodSeconds: GRACE_SECONDS,
    optional: "observability",
    ...fields,
  };
}

/** Every workload the blackbox exporter sends probes to: those with probe targets, and the edge. */
function probedWorkloads(workloads: readonly Workload[]): string[] {
  return workloads.filter((w) => w.probeTargets.length > 0 || w.name === "edge-proxy").map((w) => w.name);
}

/** The application workloads Prometheus scrapes; the observability ones are added below. */
function scrapedWorkloads(workloads: readonly Workload[]): string[] {
  return workloads.filter((w) => w.metrics).map((w) => w.name);
}

const prometheus = stackWorkload({
  name: "prometheus",
  description:
    "Prometheus under /prometheus: scrapes the catalog through Kubernetes discovery; TSDB on a PVC.",
  image: { kind: "pinned", ref: "prom/prometheus:v3.7.3" },
  // A StatefulSet, not a Deployment: two Prometheus processes cannot share one TSDB (it holds a lock), so a
  // surging rollout would never finish. The StatefulSet replaces the pod in place and keeps its PVC.
  kind: "StatefulSet",
  ports: [{ name: "http", port: 9090 }],
  // WAL replay after a restart can take a while: the startup probe allows two minutes.
  probes: httpProbes("http", "/prometheus/-/ready", "/prometheus/-/healthy", { failureThreshold: 40 }),
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "768Mi" } },
  metrics: { path: "/prometheus/metrics", port: "http", job: "prometheus" },
  calls: [
    ...scrapedWorkloads(traderxWorkloads),
    "otel-collector",
    "blackbox-exporter",
    "loki",
    "tempo",
    "postgres-exporter",
  ],
  edgeRoutes: [{ path: "/prometheus/", port: "http", upstreamPath: "keep", headers: "host" }],
  readinessChecks: [check("prometheus", "/prometheus/-/ready")],
  runAsUser: NOBODY_UID,
  terminationGracePeriodSeconds: 60,
});

const grafana = stackWorkload({
  name: "grafana",
  description: "Grafana under /grafana/ with provisioned datasources and the TraderX dashboards.",
  image: { kind: "pinned", ref: "grafana/grafana:12.2.1" },
  ports: [{ name: "http", port: 3000 }],
  env: (peers) => ({
    GF_SERVER_ROOT_URL: "%(protocol)s://%(domain)s/grafana/",
    GF_SERVER_SERVE_FROM_SUB_PATH: "true",
    GF_SERVER_DOMAIN: new URL(peers.publicOrigin).hostname,
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_SECURITY_ADMIN_USER: "admin",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
    GF_PLUGINS_PREINSTALL_DISABLED: "true",
    GF_LOG_MODE: "console",
    GF_LOG_CONSOLE_FORMAT: "json",
  }),
  // The first start runs Grafana's database migrations, which take tens of seconds on a laptop.
  probes: httpProbes("http", "/grafana/api/health", "/grafana/api/health", { failureThreshold: 60 }),
  resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
  calls: ["prometheus", "loki", "tempo"],
  edgeRoutes: [
    { path: "/grafana/", port: "http", upstreamPath: "keep", headers: "host", forwardedPrefix: "/grafana" },
  ],
  readinessChecks: [check("grafana", "/grafana/api/health")],
  runAsUser: GRAFANA_UID,
});

const loki = stackWorkload({
  name: "loki",
  description: "Loki 3 single binary: TSDB schema v13, OTLP log ingestion on /otlp, filesystem storage.",
  image: { kind: "pinned", ref: "grafana/loki:3.5.8" },
  ports: [
    { name: "http", port: 3100 },
    { name: "grpc", port: 9096 },
  ],
  // /ready answers 503 until the ingester has joined its ring (about 15 s after start).
  probes: {
    ...httpProbes("http", "/ready", "/ready", { failureThreshold: 40 }),
    liveness: { kind: "tcp", port: "http", periodSeconds: 15, failureThreshold: 4 },
  },
  resources: { requests: { cpu: "100m", memory: "192Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  metrics: { path: "/metrics", port: "http", job: "loki" },
  probeTargets: [{ port: "http", path: "/ready" }],
  runAsUser: GRAFANA_LABS_UID,
});

const tempo = stackWorkload({
  name: "tempo",
  description: "Tempo single binary: OTLP in on 4317/4318, service graphs written to Prometheus.",
  image: { kind: "pinned", ref: "grafana/tempo:2.8.2" },
  ports: [
    { name: "http", port: 3200 },
    { name: "otlp-grpc", port: 4317 },
    { name: "otlp-http", port: 4318 },
  ],
  probes: httpProbes("http", "/ready", "/ready", { failureThreshold: 40 }),
  resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
  metrics: { path: "/metrics", port: "http", job: "tempo" },
  // The metrics generator remote-writes service-graph series to Prometheus.
  calls: ["prometheus"],
  probeTargets: [{ port: "http", path: "/ready" }],
  runAsUser: GRAFANA_LABS_UID,
});

/** Ports both collector workloads expose: the health-check extension and their own telemetry. */
const collectorHealthPort = { name: "health", port: 13133 };
const collectorTelemetryPort = { name: "metrics", port: 8888 };

const otelCollector = stackWorkload({
  name: "otel-collector",
  description:
    "OpenTelemetry collector gateway: OTLP in; traces to Tempo, metrics to Prometheus, logs to Loki.",
  image: { kind: "pinned", ref: "otel/opentelemetry-collector-contrib:0.139.0" },
  ports: [
    { name: "otlp-grpc", port: 4317 },
    { name: "otlp-http", port: 4318 },
    collectorTelemetryPort,
    collectorHealthPort,
  ],
  probes: httpProbes("health", "/", "/", { failureThreshold: 20 }),
  resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  metrics: { path: "/metrics", port: "metrics", job: "otel-collector" },
  calls: ["tempo", "loki", "prometheus"],
  probeTargets: [{ port: "health", path: "/" }],
  runAsUser: GRAFANA_LABS_UID,
});

/**
 * The node log agent: a collector DaemonSet whose filelog receiver tails `/var/log/pods` and pushes to
 * Loki over OTLP. Its hostPath puts it in the separate observability namespace (Pod Security `privileged`);
 * the app namespace stays `restricted`. Nothing calls it; its ports serve its probes and Prometheus.
 */
const otelLogAgent = stackWorkload({
  name: "otel-log-agent",
  description:
    "Collector DaemonSet tailing /var/log/pods into Loki with the contract's compose_project/service labels.",
  image: { kind: "pinned", ref: "otel/opentelemetry-collector-contrib:0.139.0" },
  kind: "DaemonSet",
  ports: [collectorTelemetryPort, collectorHealthPort],
  probes: httpProbes("health", "/", "/", { failureThreshold: 20 }),
  resources: { requests: { cpu: "25m", memory: "64Mi" }, limits: { cpu: "250m", memory: "192Mi" } },
  calls: ["loki"],
  runAsUser: GRAFANA_LABS_UID,
  nodeLogs: true,
});

const blackboxExporter = stackWorkload({
  name: "blackbox-exporter",
  description: "Blackbox exporter: the http_2xx module behind job traderx-http-probe.",
  image: { kind: "pinned", ref: "prom/blackbox-exporter:v0.27.0" },
  ports: [{ name: "http", port: 9115 }],
  probes: httpProbes("http", "/-/healthy", "/-/healthy"),
  resources: { requests: { cpu: "10m", memory: "24Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
  metrics: { path: "/metrics", port: "http", job: "blackbox-exporter" },
  calls: [...probedWorkloads(traderxWorkloads), "loki", "tempo", "otel-collector"],
  runAsUser: NOBODY_UID,
});

/**
 * Database health and connection saturation come from a postgres exporter rather than from the services'
 * pool metrics: it sees every connection (services, migrations, backups, psql sessions) and
 * `max_connections`, which no single service knows. It connects as its own read-only role.
 */
const postgresExporter = stackWorkload({
  name: "postgres-exporter",
  description:
    "PostgreSQL exporter: pg_up, connections per state and max_connections for the database dashboard.",
  image: { kind: "pinned", ref: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1" },
  ports: [{ name: "http", port: 9187 }],
  env: (peers) => ({
    DATA_SOURCE_URI: `${peers.host("database")}:${peers.port("database", "postgres")}/traderx?sslmode=disable`,
    // The platform injects the role and its password as DATABASE_DBUSER / DATABASE_DBPASS (see `database`);
    // Kubernetes expands these references because those variables are defined first.
    DATA_SOURCE_USER: "$(DATABASE_DBUSER)",
    DATA_SOURCE_PASS: "$(DATABASE_DBPASS)",
    PG_EXPORTER_AUTO_DISCOVER_DATABASES: "false",
  }),
  database: { role: "metrics_reader" },
  probes: httpProbes("http", "/", "/"),
  resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "96Mi" } },
  metrics: { path: "/metrics", port: "http", job: "traderx-database" },
  calls: ["database"],
  runAsUser: NOBODY_UID,
});

/** The stack, in rollout order: stores first, then the collectors and probes, Prometheus and Grafana last. */
export const observabilityWorkloads: Workload[] = [
  loki,
  tempo,
  otelCollector,
  otelLogAgent,
  blackboxExporter,
  postgresExporter,
  prometheus,
  grafana,
];
