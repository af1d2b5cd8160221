/**
 * Structural tests of the Loki, Tempo and collector configs against the documented keys of the pinned
 * versions (test/fixtures/observability/documented-keys.ts), plus the behaviour each config must have:
 * OTLP everywhere, explicit 0.0.0.0 endpoints, the contract's log labels, and wiring that matches the
 * catalog's ports. None of these binaries exists here, so nothing is started.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { workloadByName, portByName } from "../components/catalog";
import {
  NODE_POD_LOGS_DIR,
  renderGatewayCollectorConfig,
  renderLogAgentCollectorConfig,
} from "../components/observability/collector-config";
import { renderLokiConfig } from "../components/observability/loki-config";
import { renderTempoConfig } from "../components/observability/tempo-config";
import {
  COLLECTOR_COMPONENTS,
  COLLECTOR_SERVICE,
  FILELOG_OPERATORS,
  LOKI_3_5,
  LOKI_PERIOD_CONFIG,
  TEMPO_2_8,
  undocumentedKeys,
} from "./fixtures/observability/documented-keys";

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered YAML is inspected as plain data */
const port = (workload: string, name: string) => portByName(workloadByName(workload), name).port;

const loki: any = parse(
  renderLokiConfig({ httpPort: 3100, grpcPort: 9096, dataDir: "/var/loki", retention: "72h" }),
);
const tempo: any = parse(
  renderTempoConfig({
    httpPort: 3200,
    otlpGrpcPort: 4317,
    otlpHttpPort: 4318,
    dataDir: "/var/tempo",
    remoteWriteUrl: "http://prometheus:9090/prometheus/api/v1/write",
  }),
);
const gateway: any = parse(
  renderGatewayCollectorConfig({
    ports: { otlpGrpc: 4317, otlpHttp: 4318, health: 13133, telemetry: 8888 },
    tempoOtlpGrpc: "tempo:4317",
    prometheusOtlpMetricsUrl: "http://prometheus:9090/prometheus/api/v1/otlp/v1/metrics",
    lokiOtlpLogsUrl: "http://loki:3100/otlp/v1/logs",
  }),
);
const agent: any = parse(
  renderLogAgentCollectorConfig({
    ports: { health: 13133, telemetry: 8888 },
    namespaces: ["traderx"],
    lokiOtlpLogsUrl: "http://loki.traderx.svc.cluster.local:3100/otlp/v1/logs",
    storageDir: "/var/lib/otelcol",
  }),
);

/** Undocumented keys of a collector config: every component is checked against its type's keys. */
function undocumentedCollectorKeys(config: any): string[] {
  const problems: string[] = [];
  for (const [kind, components] of Object.entries(config)) {
    if (kind === "service") {
      problems.push(...undocumentedKeys(components, COLLECTOR_SERVICE, "service"));
      continue;
    }
    const known = COLLECTOR_COMPONENTS[kind];
    if (!known) {
      problems.push(kind);
      continue;
    }
    for (const [id, body] of Object.entries(components as Record<string, unknown>)) {
      const type = id.split("/")[0];
      if (!known[type]) problems.push(`${kind}.${id} (unknown type ${type})`);
      else problems.push(...undocumentedKeys(body, known[type], `${kind}.${id}`));
    }
  }
  return problems;
}

/** Pipelines may only reference components the config defines, and every defined one is used. */
function pipelineProblems(config: any): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const [name, pipeline] of Object.entries(config.service.pipelines as Record<string, any>)) {
    for (const kind of ["receivers", "processors", "exporters"]) {
      for (const id of pipeline[kind] ?? []) {
        used.add(`${kind}.${id}`);
        if (!config[kind]?.[id]) problems.push(`pipeline ${name} uses undefined ${kind}.${id}`);
      }
    }
  }
  for (const kind of ["receivers", "processors", "exporters"]) {
    for (const id of Object.keys(config[kind] ?? {})) {
      if (!used.has(`${kind}.${id}`)) problems.push(`${kind}.${id} is defined but in no pipeline`);
    }
  }
  for (const id of config.service.extensions) {
    if (!config.extensions[id]) problems.push(`service enables undefined extension ${id}`);
  }
  return problems;
}

describe("observability: Loki config (3.5)", () => {
  it("uses only documented keys", () => {
    expect(undocumentedKeys(loki, LOKI_3_5)).to.deep.equal([]);
    for (const period of loki.schema_config.configs)
      expect(undocumentedKeys(period, LOKI_PERIOD_CONFIG)).to.deep.equal([]);
  });

  it("stores a TSDB index with schema v13 on the filesystem, in 24 h index_ tables", () => {
    expect(loki.schema_config.configs).to.deep.equal([
      {
        from: "2024-01-01",
        store: "tsdb",
        object_store: "filesystem",
        schema: "v13",
        index: { prefix: "index_", period: "24h" },
      },
    ]);
    expect(loki.common.storage.filesystem.chunks_directory).to.equal("/var/loki/chunks");
  });

  it("accepts OTLP logs with structured metadata and indexes the contract's labels", () => {
    expect(loki.limits_config.allow_structured_metadata).to.equal(true);
    const indexed = loki.limits_config.otlp_config.resource_attributes.attributes_config;
    expect(indexed).to.deep.equal([
      { action: "index_label", attributes: ["compose_project", "service", "job"] },
    ]);
  });

  it("listens on the catalog's ports", () => {
    expect(loki.server.http_listen_port).to.equal(port("loki", "http"));
    expect(loki.server.grpc_listen_port).to.equal(port("loki", "grpc"));
  });

  it("is caught by the key check when a key is misspelt, so the check means something", () => {
    expect(
      undocumentedKeys(
        { ...loki, limits_config: { ...loki.limits_config, allow_structured_metdata: true } },
        LOKI_3_5,
      ),
    ).to.deep.equal(["limits_config.allow_structured_metdata"]);
  });
});

describe("observability: Tempo config (2.8)", () => {
  it("uses only documented keys", () => {
    expect(undocumentedKeys(tempo, TEMPO_2_8)).to.deep.equal([]);
  });

  it("receives OTLP gRPC on 0.0.0.0:4317 and HTTP on 0.0.0.0:4318", () => {
    expect(tempo.distributor.receivers.otlp.protocols).to.deep.equal({
      grpc: { endpoint: `0.0.0.0:${port("tempo", "otlp-grpc")}` },
      http: { endpoint: `0.0.0.0:${port("tempo", "otlp-http")}` },
    });
    expect(tempo.server.http_listen_port).to.equal(port("tempo", "http"));
  });

  it("keeps 5 m blocks for 24 h and writes service graphs to Prometheus", () => {
    expect(tempo.ingester.max_block_duration).to.equal("5m");
    expect(tempo.compactor.compaction.block_retention).to.equal("24h");
    expect(tempo.overrides.defaults.metrics_generator.processors).to.include("service-graphs");
    expect(tempo.metrics_generator.storage.remote_write[0].url).to.equal(
      "http://prometheus:9090/prometheus/api/v1/write",
    );
  });
});

describe("observability: collector configs (contrib 0.139)", () => {
  it("use only documented components and keys, and consistent pipelines", () => {
    for (const config of [gateway, agent]) {
      expect(undocumentedCollectorKeys(config)).to.deep.equal([]);
      expect(pipelineProblems(config)).to.deep.equal([]);
    }
  });

  it("gateway: OTLP in on 0.0.0.0; traces to Tempo, metrics to Prometheus, logs to Loki over OTLP HTTP", () => {
    expect(gateway.receivers.otlp.protocols).to.deep.equal({
      grpc: { endpoint: `0.0.0.0:${port("otel-collector", "otlp-grpc")}` },
      http: { endpoint: `0.0.0.0:${port("otel-collector", "otlp-http")}` },
    });
    const pipelines = gateway.service.pipelines;
    expect(pipelines.traces.exporters).to.deep.equal(["otlp/tempo"]);
    expect(gateway.exporters["otlp/tempo"].endpoint).to.equal("tempo:4317");
    expect(pipelines.metrics.exporters).to.deep.equal(["otlphttp/prometheus"]);
    expect(pipelines.logs.exporters).to.deep.equal(["otlphttp/loki"]);
    expect(gateway.exporters["otlphttp/loki"].logs_endpoint).to.equal("http://loki:3100/otlp/v1/logs");
  });

  it("agent: tails the app namespace's pod logs with the CRI container parser and a checkpoint store", () => {
    const filelog = agent.receivers.filelog;
    expect(filelog.include).to.deep.equal([`${NODE_POD_LOGS_DIR}/traderx_*/*/*.log`]);
    expect(filelog.storage).to.equal("file_storage");
    for (const op of filelog.operators) {
      expect(FILELOG_OPERATORS, op.type).to.have.property(op.type);
      expect(undocumentedKeys(op, FILELOG_OPERATORS[op.type])).to.deep.equal([]);
    }
    expect(agent.service.pipelines).to.have.keys(["logs"]);
    expect(agent.exporters["otlphttp/loki"].logs_endpoint).to.match(/^http:\/\/loki\.traderx\.svc/);
    expect(() =>
      renderLogAgentCollectorConfig({
        ports: { health: 1, telemetry: 2 },
        namespaces: [],
        lokiOtlpLogsUrl: "x",
        storageDir: "/x",
      }),
    ).to.throw(/at least one namespace/);
  });

  it("both set compose_project, job and service (= container) so the contract's Loki queries work", () => {
    const statements = (config: any) =>
      config.processors["transform/contract-labels"].log_statements[0].statements;
    expect(statements(agent)).to.deep.equal([
      'set(attributes["compose_project"], "traderx-state-009")',
      'set(attributes["job"], "traderx-docker")',
      'set(attributes["service"], attributes["k8s.container.name"])',
    ]);
    expect(statements(gateway)[2]).to.equal('set(attributes["service"], attributes["service.name"])');
    for (const config of [agent, gateway]) {
      expect(config.processors["transform/contract-labels"].log_statements[0].context).to.equal("resource");
    }
  });

  it("serve health on 0.0.0.0:13133 and their own metrics on 8888, matching the catalog", () => {
    for (const [config, workload] of [
      [gateway, "otel-collector"],
      [agent, "otel-log-agent"],
    ] as const) {
      expect(config.extensions.health_check.endpoint).to.equal(`0.0.0.0:${port(workload, "health")}`);
      const reader = config.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
      expect(reader).to.deep.equal({ host: "0.0.0.0", port: port(workload, "metrics") });
      expect(config.processors.memory_limiter.limit_percentage).to.be.below(100);
    }
  });
});
