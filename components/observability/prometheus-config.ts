/**
 * Renders `prometheus.yml`, the alert rules and the command-line flags of Prometheus from the catalog.
 *
 * One renderer serves both runtimes; the caller chooses how scrape targets are found:
 * - `kubernetes`: one scrape job per catalog `metrics.job`, discovered through EndpointSlices of the app
 *   namespace and kept by Service name and port name. Each target gets `service`, `namespace`, `pod` labels
 *   and `instance = <pod>:<port>`, so instance matchers on a service name (contract 6.2, 9) keep working and
 *   two replicas never collide.
 * - `static`: the same jobs with fixed addresses from `PeerAddresses` (the local runtime's loopback ports),
 *   `instance = <workload>:<port>`.
 * Blackbox probes (job `traderx-http-probe`) are static in both: each catalog probe target, addressed as a
 * peer, plus each readiness check through the edge. The target URL is copied to `instance`.
 *
 * Compatibility: the output uses only keys that both Debian's Prometheus 2.42 (promtool in the tests and
 * the local runtime) and the pinned Prometheus 3.7 accept. Prometheus 3 keys such as
 * `fallback_scrape_protocol` or the `otlp:` block are left out because 2.42 rejects unknown keys; the
 * services send a proper `text/plain; version=0.0.4` Content-Type, so 3.x needs no fallback. The 3.x
 * receivers for OTLP (the collector's metrics) and remote write (Tempo's service graphs) are enabled by
 * flags, not config (see `prometheusArgs`).
 */
import { stringify } from "yaml";
import { PeerAddresses, Workload, workloadByName } from "../catalog";

/** Scrape and rule evaluation interval (contract 7.3). */
export const SCRAPE_INTERVAL_SECONDS = 15;
/** The blackbox job whose `probe_success` the contract queries. */
export const HTTP_PROBE_JOB = "traderx-http-probe";
/** The blackbox module every probe uses. */
export const HTTP_PROBE_MODULE = "http_2xx";
/** Path prefix Prometheus serves under, behind the edge route `/prometheus/`. */
export const PROMETHEUS_ROUTE_PREFIX = "/prometheus";

export type ScrapeDiscovery =
  /** Find targets through the Kubernetes API (EndpointSlices) in one namespace. */
  | { kind: "kubernetes"; namespace: string }
  /** Fixed addresses from the runtime's `PeerAddresses`. */
  | { kind: "static" };

export interface PrometheusConfigInput {
  /** The workloads deployed in this runtime: their `metrics` become scrape jobs, their probes targets. */
  workloads: readonly Workload[];
  peers: PeerAddresses;
  discovery: ScrapeDiscovery;
  /** Paths (or globs) of the rule files, as Prometheus sees them. */
  ruleFiles: readonly string[];
}

/** One scrape job: every workload that shares a catalog `metrics.job`. */
export interface MetricsJob {
  job: string;
  path: string;
  /** Workload name and the name of the port it serves metrics on. */
  targets: { workload: string; port: string }[];
}

/** Groups the catalog's metrics endpoints by job. A job's targets must share one path. */
export function metricsJobs(workloads: readonly Workload[]): MetricsJob[] {
  const jobs = new Map<string, MetricsJob>();
  for (const w of workloads) {
    if (!w.metrics) continue;
    const existing = jobs.get(w.metrics.job);
    if (existing && existing.path !== w.metrics.path) {
      throw new Error(
        `metrics job "${w.metrics.job}" mixes paths: ${existing.targets[0].workload} serves ` +
          `${existing.path}, ${w.name} serves ${w.metrics.path}; give ${w.name} its own job in the catalog`,
      );
    }
    const job = existing ?? { job: w.metrics.job, path: w.metrics.path, targets: [] };
    job.targets.push({ workload: w.name, port: w.metrics.port });
    jobs.set(job.job, job);
  }
  return [...jobs.values()];
}

/** A blackbox probe: the URL probed and the workload it belongs to. */
export interface HttpProbeTarget {
  url: string;
  workload: string;
  /** `direct` probes the workload's own port; `edge` goes through the edge route like a browser. */
  via: "direct" | "edge";
}

/**
 * Every URL the blackbox exporter probes: the catalog's internal probe targets and, through the edge, every
 * readiness check that expects a 2xx (the `http_2xx` module fails anything else). Duplicates are dropped.
 */
export function httpProbeTargets(workloads: readonly Workload[], peers: PeerAddresses): HttpProbeTarget[] {
  const targets: HttpProbeTarget[] = [];
  const seen = new Set<string>();
  const add = (target: HttpProbeTarget) => {
    if (seen.has(target.url)) return;
    seen.add(target.url);
    targets.push(target);
  };
  for (const w of workloads) {
    for (const t of w.probeTargets)
      add({ url: `${peers.url(w.name, t.port)}${t.path}`, workload: w.name, via: "direct" });
  }
  if (workloads.some((w) => w.name === "edge-proxy")) {
    const edge = peers.url("edge-proxy", workloadByName("edge-proxy", workloads).ports[0].name);
    for (const w of workloads) {
      for (const c of w.readinessChecks) {
        if (c.expectStatus >= 200 && c.expectStatus < 300)
          add({ url: `${edge}${c.path}`, workload: w.name, via: "edge" });
      }
    }
  }
  return targets;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type ScrapeConfig = Record<string, unknown>;

function kubernetesScrapeConfig(job: MetricsJob, namespace: string): ScrapeConfig {
  const keep = job.targets.map((t) => `${escapeRegex(t.workload)};${escapeRegex(t.port)}`).join("|");
  return {
    job_name: job.job,
    metrics_path: job.path,
    kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: [namespace] } }],
    relabel_configs: [
      {
        action: "keep",
        source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
        regex: `(?:${keep})`,
      },
      { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
      {
        source_labels: ["__meta_kubernetes_pod_name", "__meta_kubernetes_endpointslice_port"],
        separator: ":",
        target_label: "instance",
      },
    ],
  };
}

function staticScrapeConfig(job: MetricsJob, peers: PeerAddresses): ScrapeConfig {
  return {
    job_name: job.job,
    metrics_path: job.path,
    static_configs: job.targets.map((t) => {
      const port = peers.port(t.workload, t.port);
      return {
        targets: [`${peers.host(t.workload)}:${port}`],
        labels: { service: t.workload, instance: `${t.workload}:${port}` },
      };
    }),
  };
}

function httpProbeScrapeConfig(input: PrometheusConfigInput): ScrapeConfig {
  const targets = httpProbeTargets(input.workloads, input.peers);
  const groups = new Map<string, HttpProbeTarget[]>();
  for (const t of targets) {
    const key = `${t.workload}|${t.via}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const blackbox = input.peers.url("blackbox-exporter", "http").replace(/^http:\/\//, "");
  return {
    job_name: HTTP_PROBE_JOB,
    metrics_path: "/probe",
    params: { module: [HTTP_PROBE_MODULE] },
    static_configs: [...groups.values()].map((group) => ({
      targets: group.map((t) => t.url),
      labels: { service: group[0].workload, probe_via: group[0].via },
    })),
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { target_label: "__address__", replacement: blackbox },
    ],
  };
}

/** The complete `prometheus.yml`. */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const jobs = metricsJobs(input.workloads);
  const scrapeConfigs = jobs.map((job) =>
    input.discovery.kind === "kubernetes"
      ? kubernetesScrapeConfig(job, input.discovery.namespace)
      : staticScrapeConfig(job, input.peers),
  );
  if (input.workloads.some((w) => w.name === "blackbox-exporter"))
    scrapeConfigs.push(httpProbeScrapeConfig(input));
  const config = {
    global: {
      scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
      evaluation_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
      scrape_timeout: "10s",
    },
    rule_files: [...input.ruleFiles],
    scrape_configs: scrapeConfigs,
  };
  return stringify(config, { lineWidth: 0 });
}

/** Share of 5xx responses above which a service alerts. */
export const HIGH_5XX_RATIO = 0.05;

/** The alert rules: a target is down, a probe fails, a service answers too many 5xx. */
export function renderAlertRules(): string {
  const requests = "http_server_requests_seconds_count";
  return stringify(
    {
      groups: [
        {
          name: "traderx-availability",
          rules: [
            {
              alert: "TraderXTargetDown",
              expr: "up == 0",
              for: "2m",
              labels: { severity: "critical" },
              annotations: {
                summary: "{{ $labels.job }} target {{ $labels.instance }} is down",
                description: "Prometheus has failed to scrape {{ $labels.instance }} for 2 minutes.",
              },
            },
            {
              alert: "TraderXProbeFailing",
              expr: `probe_success{job="${HTTP_PROBE_JOB}"} == 0`,
              for: "2m",
              labels: { severity: "critical" },
              annotations: {
                summary: "HTTP probe of {{ $labels.instance }} fails",
                description:
                  "The blackbox http_2xx probe of {{ $labels.instance }} has failed for 2 minutes.",
              },
            },
          ],
        },
        {
          name: "traderx-errors",
          rules: [
            {
              alert: "TraderXHigh5xxRate",
              expr:
                `sum by (service) (rate(${requests}{status=~"5.."}[5m]))\n` +
                `  / sum by (service) (rate(${requests}[5m])) > ${HIGH_5XX_RATIO}`,
              for: "5m",
              labels: { severity: "warning" },
              annotations: {
                summary: "{{ $labels.service }} answers more than 5% of requests with 5xx",
                description:
                  "{{ $labels.service }}: {{ $value | humanizePercentage }} of requests failed over 5 minutes.",
              },
            },
          ],
        },
      ],
    },
    { lineWidth: 0 },
  );
}

export interface PrometheusArgsInput {
  /** The workloads deployed in this runtime: the receivers are enabled only for senders that exist. */
  workloads: readonly Workload[];
  configFile: string;
  storagePath: string;
  retention: string;
}

/**
 * Command-line flags. `--web.route-prefix` and a relative `--web.external-url` put every page and API under
 * `/prometheus` (contract 5). The OTLP receiver (Prometheus 2.47+, so never in the local runtime's 2.42)
 * takes the collector's metrics; the remote-write receiver takes Tempo's service-graph series. Each is on
 * only when its sender is deployed, so the local runtime gets neither.
 */
export function prometheusArgs(input: PrometheusArgsInput): string[] {
  const deployed = (name: string) => input.workloads.some((w) => w.name === name);
  return [
    `--config.file=${input.configFile}`,
    `--storage.tsdb.path=${input.storagePath}`,
    `--storage.tsdb.retention.time=${input.retention}`,
    `--web.route-prefix=${PROMETHEUS_ROUTE_PREFIX}`,
    `--web.external-url=${PROMETHEUS_ROUTE_PREFIX}`,
    ...(deployed("otel-collector") ? ["--web.enable-otlp-receiver"] : []),
    ...(deployed("tempo") ? ["--web.enable-remote-write-receiver"] : []),
  ];
}
