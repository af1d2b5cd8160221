/**
 * The Prometheus, alert-rule and blackbox renderers, checked with the real tools: Debian's promtool 2.42
 * (`check config`, `check rules`, and `test rules` to show each alert fires when it should and stays quiet
 * otherwise) and blackbox_exporter 0.23 (`--config.check`, then real probes of a local HTTP server).
 */
import { expect } from "chai";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { parse, stringify } from "yaml";
import {
  catalog,
  clusterPeerAddresses,
  loopbackPeerAddresses,
  selectWorkloads,
  Workload,
} from "../components/catalog";
import { renderBlackboxConfig } from "../components/observability/blackbox-config";
import {
  HTTP_PROBE_JOB,
  httpProbeTargets,
  metricsJobs,
  prometheusArgs,
  renderAlertRules,
  renderPrometheusConfig,
} from "../components/observability/prometheus-config";
import { exporterMetricSeries, SCRAPE_SERIES } from "../components/observability/exporter-metrics";
import { exposedSeries, metricNames, seriesInExposition } from "./fixtures/observability/metric-vocabulary";
import { freePort } from "./support/http";
import { runTool, startProcess, tempFolder, TempFolder, waitForHttp } from "./fixtures/observability/tools";

const ORIGIN = "http://localhost:8080";
const deployed = selectWorkloads({ observability: true });

interface ScrapeConfig {
  job_name: string;
  metrics_path: string;
  static_configs?: { targets: string[]; labels: Record<string, string> }[];
  kubernetes_sd_configs?: { role: string; namespaces: { names: string[] } }[];
  relabel_configs?: { source_labels?: string[]; target_label?: string; regex?: string; action?: string }[];
  params?: Record<string, string[]>;
}

function clusterConfig(workloads: readonly Workload[] = deployed) {
  return renderPrometheusConfig({
    workloads,
    peers: clusterPeerAddresses(workloads, ORIGIN),
    discovery: { kind: "kubernetes", namespace: "traderx" },
    ruleFiles: ["rules/traderx-alerts.yml"],
  });
}

function scrapeConfigs(yamlText: string): ScrapeConfig[] {
  return (parse(yamlText) as { scrape_configs: ScrapeConfig[] }).scrape_configs;
}

function job(configs: ScrapeConfig[], name: string): ScrapeConfig {
  const found = configs.find((c) => c.job_name === name);
  if (!found) throw new Error(`no job ${name} in ${configs.map((c) => c.job_name).join(", ")}`);
  return found;
}

/**
 * Debian builds Prometheus without the Kubernetes service discovery, so its promtool and server reject
 * `kubernetes_sd_configs` outright. The tests swap each discovery block for a file discovery: promtool
 * then checks everything else (jobs, relabelling, regexes, params, rule files), and a real server can run
 * the relabelling on targets that carry the labels EndpointSlice discovery would give them. The discovery
 * block itself is checked against the documented keys.
 */
function withFileDiscovery(config: string, file = "discovered-targets.json"): string {
  const parsed = parse(config) as { scrape_configs: Record<string, unknown>[] };
  for (const scrape of parsed.scrape_configs) {
    if (!scrape.kubernetes_sd_configs) continue;
    delete scrape.kubernetes_sd_configs;
    scrape.file_sd_configs = [{ files: [file] }];
  }
  return stringify(parsed);
}

describe("observability: prometheus.yml renderer", () => {
  let folder: TempFolder;
  beforeEach(async () => {
    folder = await tempFolder("traderx-prometheus-");
  });
  afterEach(() => folder.cleanup());

  async function promtoolCheck(config: string) {
    await folder.write("rules/traderx-alerts.yml", renderAlertRules());
    const path = await folder.write("prometheus.yml", config);
    return runTool("promtool", ["check", "config", path]);
  }

  it("passes promtool check config with Kubernetes discovery (discovery block swapped, see above)", async () => {
    const original = await promtoolCheck(clusterConfig());
    // Documents why the swap is needed: this promtool has no Kubernetes discovery at all.
    expect(original.output).to.include("field kubernetes_sd_configs not found");
    const result = await promtoolCheck(withFileDiscovery(clusterConfig()));
    expect(result.ok, result.output).to.equal(true);
    expect(result.output).to.include("SUCCESS");
  });

  it("uses only documented endpointslice discovery keys and meta labels (Prometheus 3.7)", () => {
    const roles = ["node", "service", "pod", "endpoints", "endpointslice", "ingress"];
    const sdKeys = ["role", "namespaces", "selectors", "api_server", "kubeconfig_file", "attach_metadata"];
    const endpointsliceLabels = [
      "__meta_kubernetes_namespace",
      "__meta_kubernetes_endpointslice_name",
      "__meta_kubernetes_endpointslice_port",
      "__meta_kubernetes_endpointslice_port_name",
      "__meta_kubernetes_endpointslice_port_protocol",
      "__meta_kubernetes_service_name",
      "__meta_kubernetes_pod_name",
    ];
    for (const scrape of scrapeConfigs(clusterConfig()).filter((c) => c.kubernetes_sd_configs)) {
      for (const sd of scrape.kubernetes_sd_configs!) {
        expect(
          Object.keys(sd).every((k) => sdKeys.includes(k)),
          JSON.stringify(sd),
        ).to.equal(true);
        expect(roles).to.include(sd.role);
        expect(Object.keys(sd.namespaces)).to.deep.equal(["names"]);
      }
      const used = scrape.relabel_configs!.flatMap((r) => r.source_labels ?? []);
      for (const label of used) expect(endpointsliceLabels, label).to.include(label);
    }
  });

  it("passes promtool check config with static loopback targets (the local runtime)", async () => {
    const config = renderPrometheusConfig({
      workloads: deployed,
      peers: loopbackPeerAddresses(deployed, ORIGIN),
      discovery: { kind: "static" },
      ruleFiles: ["rules/traderx-alerts.yml"],
    });
    const result = await promtoolCheck(config);
    expect(result.ok, result.output).to.equal(true);
    const actuator = job(scrapeConfigs(config), "traderx-spring-boot-actuator");
    expect(actuator.static_configs!.map((s) => s.targets[0])).to.include("127.0.0.1:18110");
    expect(actuator.static_configs!.map((s) => s.labels.instance)).to.include("order-matcher:18110");
  });

  it("promtool rejects a broken config, so the check above can fail", async () => {
    const broken = withFileDiscovery(clusterConfig()).replace(
      "scrape_interval: 15s",
      "scrape_interval: fifteen",
    );
    const result = await promtoolCheck(broken);
    expect(result.ok).to.equal(false);
  });

  it("has one job per catalog metrics job, with the contract's job names and paths", () => {
    const configs = scrapeConfigs(clusterConfig());
    const actuator = job(configs, "traderx-spring-boot-actuator");
    expect(actuator.metrics_path).to.equal("/actuator/prometheus");
    const keep = actuator.relabel_configs!.find((r) => r.action === "keep")!;
    for (const service of [
      "account-service",
      "position-service",
      "trade-processor",
      "trade-service",
      "order-matcher",
    ]) {
      expect(keep.regex).to.include(`${service};http`);
    }
    expect(job(configs, "prometheus").metrics_path).to.equal("/prometheus/metrics");
    expect(job(configs, "otel-collector").relabel_configs![0].regex).to.equal("(?:otel-collector;metrics)");
    job(configs, "blackbox-exporter");
    for (const w of catalog.filter((w) => w.metrics)) job(configs, w.metrics!.job);
  });

  it("discovers through EndpointSlices of the app namespace and labels each target by Service and pod", () => {
    const actuator = job(scrapeConfigs(clusterConfig()), "traderx-spring-boot-actuator");
    expect(actuator.kubernetes_sd_configs).to.deep.equal([
      { role: "endpointslice", namespaces: { names: ["traderx"] } },
    ]);
    const targets = actuator.relabel_configs!.map((r) => r.target_label).filter(Boolean);
    expect(targets).to.include.members(["service", "namespace", "pod", "instance"]);
  });

  it("probes every catalog probe target and every 2xx readiness check through the edge", () => {
    const probe = job(scrapeConfigs(clusterConfig()), HTTP_PROBE_JOB);
    expect(probe.metrics_path).to.equal("/probe");
    expect(probe.params).to.deep.equal({ module: ["http_2xx"] });
    const urls = probe.static_configs!.flatMap((s) => s.targets);
    // The contract's list (7.3), with our UI's Service name.
    for (const url of [
      "http://edge-proxy:8080/health",
      "http://edge-proxy:8080/",
      "http://reference-data:18085/stocks",
      "http://price-publisher:18100/health",
      "http://price-publisher:18100/prices/IBM",
      "http://account-service:18088/account/22214",
      "http://people-service:18089/swagger",
      "http://position-service:18090/health/alive",
      "http://trade-processor:18091/system/health",
      "http://trade-service:18092/v3/api-docs",
      "http://web-front-end:18093/",
      "http://nats-broker:8222/varz",
      "http://order-matcher:18110/health",
      "http://order-matcher:18110/orders/open-count",
      "http://edge-proxy:8080/grafana/api/health",
      "http://edge-proxy:8080/prometheus/-/ready",
    ]) {
      expect(urls, url).to.include(url);
    }
    expect(new Set(urls).size).to.equal(urls.length);
    const relabel = probe.relabel_configs!;
    expect(relabel).to.deep.include({ source_labels: ["__param_target"], target_label: "instance" });
    expect(relabel).to.deep.include({ target_label: "__address__", replacement: "blackbox-exporter:9115" });
  });

  it("derives probe targets from the catalog: a new probe target appears without other changes", () => {
    const extra: Workload = {
      ...deployed.find((w) => w.name === "reference-data")!,
      name: "extra-service",
      probeTargets: [{ port: "http", path: "/extra" }],
      readinessChecks: [{ name: "extra", path: "/extra-service/ready", expectStatus: 200 }],
    };
    const targets = httpProbeTargets(
      [...deployed, extra],
      clusterPeerAddresses([...deployed, extra], ORIGIN),
    );
    expect(targets).to.deep.include({
      url: "http://extra-service:18085/extra",
      workload: "extra-service",
      via: "direct",
    });
    expect(targets).to.deep.include({
      url: "http://edge-proxy:8080/extra-service/ready",
      workload: "extra-service",
      via: "edge",
    });
  });

  it("leaves out the probe job and every observability scrape job when the stack is off", () => {
    const appOnly = selectWorkloads({ observability: false });
    const names = scrapeConfigs(clusterConfig(appOnly)).map((c) => c.job_name);
    expect(names).to.not.include(HTTP_PROBE_JOB);
    expect(names).to.not.include("prometheus");
    expect(names).to.include("traderx-spring-boot-actuator");
  });

  it("refuses a job whose workloads serve metrics on different paths, naming both", () => {
    const odd: Workload = {
      ...deployed.find((w) => w.name === "account-service")!,
      name: "odd-service",
      metrics: { path: "/odd", port: "http", job: "traderx-spring-boot-actuator" },
    };
    expect(() => metricsJobs([...deployed, odd])).to.throw(/mixes paths.*odd-service serves \/odd/);
  });

  it("serves Prometheus under /prometheus and enables receivers only for deployed senders", () => {
    const full = prometheusArgs({
      workloads: deployed,
      configFile: "/c",
      storagePath: "/p",
      retention: "2d",
    });
    expect(full).to.include.members([
      "--web.route-prefix=/prometheus",
      "--web.external-url=/prometheus",
      "--web.enable-otlp-receiver",
      "--web.enable-remote-write-receiver",
    ]);
    const local = prometheusArgs({
      workloads: deployed.filter((w) => !["otel-collector", "tempo"].includes(w.name)),
      configFile: "/c",
      storagePath: "/p",
      retention: "2d",
    });
    expect(local.join(" ")).to.not.match(/receiver/);
  });
});

describe("observability: alert rules", () => {
  let folder: TempFolder;
  beforeEach(async () => (folder = await tempFolder("traderx-rules-")));
  afterEach(() => folder.cleanup());

  it("pass promtool check rules", async () => {
    const path = await folder.write("alerts.yml", renderAlertRules());
    const result = await runTool("promtool", ["check", "rules", path]);
    expect(result.ok, result.output).to.equal(true);
    expect(result.output).to.match(/SUCCESS: 3 rules found/);
  });

  it("name only series that a deployed workload or exporter exposes", async () => {
    const exposed = await exposedSeries(deployed);
    const rules = parse(renderAlertRules()) as { groups: { rules: { alert: string; expr: string }[] }[] };
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      const { names, errors } = metricNames(rule.expr);
      expect(errors, rule.alert).to.deep.equal([]);
      expect(
        names.filter((n) => !exposed.has(n)),
        rule.alert,
      ).to.deep.equal([]);
    }
  });

  it("fire on a down target, a failing probe and a 5xx burst, and stay quiet on healthy series", async () => {
    await folder.write("alerts.yml", renderAlertRules());
    const tests = {
      rule_files: ["alerts.yml"],
      evaluation_interval: "15s",
      tests: [
        {
          interval: "15s",
          input_series: [
            { series: 'up{job="traderx-services",instance="reference-data-0:18085"}', values: "0x20" },
            { series: 'up{job="traderx-services",instance="people-service-0:18089"}', values: "1x20" },
            {
              series: `probe_success{job="${HTTP_PROBE_JOB}",instance="http://order-matcher:18110/health"}`,
              values: "0x20",
            },
            {
              series: `probe_success{job="${HTTP_PROBE_JOB}",instance="http://reference-data:18085/stocks"}`,
              values: "1x20",
            },
            // trade-service: 10 requests per 15 s, 5 of them 5xx; account-service: all fine.
            {
              series: 'http_server_requests_seconds_count{service="trade-service",status="500"}',
              values: "0+5x40",
            },
            {
              series: 'http_server_requests_seconds_count{service="trade-service",status="200"}',
              values: "0+5x40",
            },
            {
              series: 'http_server_requests_seconds_count{service="account-service",status="200"}',
              values: "0+9x40",
            },
          ],
          alert_rule_test: [
            { eval_time: "1m", alertname: "TraderXTargetDown", exp_alerts: [] },
            {
              eval_time: "3m",
              alertname: "TraderXTargetDown",
              exp_alerts: [
                {
                  exp_labels: {
                    severity: "critical",
                    job: "traderx-services",
                    instance: "reference-data-0:18085",
                  },
                  exp_annotations: {
                    summary: "traderx-services target reference-data-0:18085 is down",
                    description: "Prometheus has failed to scrape reference-data-0:18085 for 2 minutes.",
                  },
                },
              ],
            },
            {
              eval_time: "3m",
              alertname: "TraderXProbeFailing",
              exp_alerts: [
                {
                  exp_labels: {
                    severity: "critical",
                    job: HTTP_PROBE_JOB,
                    instance: "http://order-matcher:18110/health",
                  },
                  exp_annotations: {
                    summary: "HTTP probe of http://order-matcher:18110/health fails",
                    description:
                      "The blackbox http_2xx probe of http://order-matcher:18110/health has failed for 2 minutes.",
                  },
                },
              ],
            },
            {
              eval_time: "10m",
              alertname: "TraderXHigh5xxRate",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", service: "trade-service" },
                  exp_annotations: {
                    summary: "trade-service answers more than 5% of requests with 5xx",
                    description: "trade-service: 50% of requests failed over 5 minutes.",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const path = await folder.write("alerts.test.yml", stringify(tests));
    const result = await runTool("promtool", ["test", "rules", path]);
    expect(result.ok, result.output).to.equal(true);
  });
});

describe("observability: blackbox exporter config", () => {
  let folder: TempFolder;
  beforeEach(async () => (folder = await tempFolder("traderx-blackbox-")));
  afterEach(() => folder.cleanup());

  it("passes blackbox_exporter --config.check and has http_2xx with a 5 s timeout, IPv4 preferred", async () => {
    const text = renderBlackboxConfig();
    const path = await folder.write("blackbox.yml", text);
    const result = await runTool("prometheus-blackbox-exporter", ["--config.check", `--config.file=${path}`]);
    expect(result.ok, result.output).to.equal(true);
    const module = (
      parse(text) as {
        modules: Record<string, { prober: string; timeout: string; http: Record<string, unknown> }>;
      }
    ).modules.http_2xx;
    expect(module.prober).to.equal("http");
    expect(module.timeout).to.equal("5s");
    expect(module.http.preferred_ip_protocol).to.equal("ip4");
  });

  it("the real exporter with this config passes a 200 target and fails a 500 target", async () => {
    const upstream: Server = createServer((req, res) => {
      res.statusCode = req.url === "/broken" ? 500 : 200;
      res.end("ok");
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const path = await folder.write("blackbox.yml", renderBlackboxConfig());
    const port = await freePort();
    const exporter = startProcess("prometheus-blackbox-exporter", [
      `--config.file=${path}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/-/healthy`, 10_000);
      const probe = async (target: string) => {
        const url = `http://127.0.0.1:${port}/probe?module=http_2xx&target=${encodeURIComponent(target)}`;
        return (await fetch(url)).text();
      };
      const passed = await probe(`http://127.0.0.1:${upstreamPort}/ok`);
      expect(passed).to.match(/^probe_success 1$/m);
      // The series dashboards may use (exporter-metrics.ts) are really there, from /probe or /metrics.
      const own = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const served = new Set(seriesInExposition(passed + own));
      expect(exporterMetricSeries["blackbox-exporter"].filter((s) => !served.has(s))).to.deep.equal([]);
      const failed = await probe(`http://127.0.0.1:${upstreamPort}/broken`);
      expect(failed).to.match(/^probe_success 0$/m);
      expect(failed).to.match(/^probe_http_status_code 500$/m);
    } finally {
      await exporter.stop();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

/** The real Prometheus with the rendered flags, on loopback; resolves once it is ready. */
async function startPrometheus(folder: TempFolder, configFile: string, port: number) {
  const server = startProcess("prometheus", [
    ...prometheusArgs({ workloads: [], configFile, storagePath: `${folder.dir}/data`, retention: "1h" }),
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const base = `http://127.0.0.1:${port}/prometheus`;
  try {
    await waitForHttp(`${base}/-/ready`, 20_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { base, output: server.output, stop: server.stop };
}

describe("observability: Prometheus self-monitoring series (real prometheus 2.42)", () => {
  it("exposes every series exporter-metrics.ts declares for Prometheus, and records the scrape series", async () => {
    const folder = await tempFolder("traderx-prometheus-run-");
    const port = await freePort();
    const config = stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      scrape_configs: [
        {
          job_name: "prometheus",
          metrics_path: "/prometheus/metrics",
          static_configs: [{ targets: [`127.0.0.1:${port}`] }],
        },
      ],
    });
    const server = await startPrometheus(folder, await folder.write("prometheus.yml", config), port);
    try {
      const base = server.base;
      const own = await (await fetch(`${base}/metrics`)).text();
      const served = new Set(seriesInExposition(own));
      expect(exporterMetricSeries.prometheus.filter((s) => !served.has(s))).to.deep.equal([]);
      // The scrape series appear once the first scrape has run.
      const deadline = Date.now() + 15_000;
      let names: string[] = [];
      while (Date.now() < deadline) {
        const answer = (await (await fetch(`${base}/api/v1/label/__name__/values`)).json()) as {
          data: string[];
        };
        names = answer.data;
        if (SCRAPE_SERIES.every((s) => names.includes(s))) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(
        SCRAPE_SERIES.filter((s) => !names.includes(s)),
        server.output(),
      ).to.deep.equal([]);
    } finally {
      await server.stop();
      await folder.cleanup();
    }
  });
});

describe("observability: Kubernetes-discovery relabelling on a real prometheus 2.42", () => {
  it("keeps exactly the catalog's metrics endpoints and labels them by Service, pod and namespace", async () => {
    const folder = await tempFolder("traderx-prometheus-relabel-");
    const port = await freePort();
    // What EndpointSlice discovery reports for every named port of every deployed Service.
    const endpointSlices = deployed.flatMap((w) =>
      w.ports.map((p) => ({
        targets: [`127.0.0.1:${p.containerPort ?? p.port}`],
        labels: {
          __meta_kubernetes_namespace: "traderx",
          __meta_kubernetes_service_name: w.name,
          __meta_kubernetes_endpointslice_port_name: p.name,
          __meta_kubernetes_endpointslice_port: String(p.containerPort ?? p.port),
          __meta_kubernetes_pod_name: `${w.name}-5d8f7c9b4-x2k7q`,
        },
      })),
    );
    const discovered = await folder.write("endpointslices.json", JSON.stringify(endpointSlices));
    await folder.write("rules/traderx-alerts.yml", renderAlertRules());
    const configFile = await folder.write("prometheus.yml", withFileDiscovery(clusterConfig(), discovered));
    const server = await startPrometheus(folder, configFile, port);
    try {
      const base = server.base;
      type Target = { scrapePool: string; labels: Record<string, string> };
      let active: Target[] = [];
      const expected = deployed.filter((w) => w.metrics).length;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const answer = (await (await fetch(`${base}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: Target[] };
        };
        active = answer.data.activeTargets.filter((t) => t.scrapePool !== HTTP_PROBE_JOB);
        if (active.length >= expected) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const seen = active.map((t) => `${t.scrapePool} ${t.labels.service} ${t.labels.instance}`).sort();
      const wanted = deployed
        .filter((w) => w.metrics)
        .map((w) => {
          const p = w.ports.find((x) => x.name === w.metrics!.port)!;
          return `${w.metrics!.job} ${w.name} ${w.name}-5d8f7c9b4-x2k7q:${p.containerPort ?? p.port}`;
        })
        .sort();
      expect(seen, server.output()).to.deep.equal(wanted);
      for (const t of active) {
        expect(t.labels).to.include({ namespace: "traderx", pod: `${t.labels.service}-5d8f7c9b4-x2k7q` });
      }
    } finally {
      await server.stop();
      await folder.cleanup();
    }
  });
});
