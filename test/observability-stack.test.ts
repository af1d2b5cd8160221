/**
 * The ObservabilityStack component under Pulumi mocks: every workload, Service, ConfigMap, RBAC object and
 * PVC, the hardening of every pod, the log agent's namespace and hostPath, config checksums, the switch,
 * and the stack's resource footprint against the OpenTelemetry demo and Online Boutique.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { catalog, clusterPeerAddresses, selectWorkloads } from "../components/catalog";
import { renderEdgeNginxConf } from "../components/edge/nginx-config";
import { footprintOf } from "../components/observability/footprint";
import {
  ObservabilityStack,
  namespaceOfWorkload,
  observabilityNamespaceOf,
} from "../components/observability/observability-stack";
import { assertHardenedPod } from "./support/hardening";
import { RecordedResource, recordResources, settled } from "./fixtures/observability/pulumi-mocks";

/* eslint-disable @typescript-eslint/no-explicit-any -- resource inputs are checked as plain JSON */
const ORIGIN = "http://localhost:8080";
/** How the Pulumi SDK marks a secret value on the wire (`specialSigKey` / `specialSecretSig`). */
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const stackWorkloads = catalog.filter((w) => w.optional === "observability");

async function deploy(
  name: string,
  overrides: Partial<ConstructorParameters<typeof ObservabilityStack>[1]> = {},
) {
  const stack = new ObservabilityStack(name, {
    namespace: "traderx",
    instance: "traderx",
    publicOrigin: ORIGIN,
    grafanaAdminPassword: "correct horse battery",
    ...overrides,
  });
  await Promise.all([
    ...Object.values(stack.workloads).flatMap((w) =>
      [w.controller.id, w.service?.id, w.configMap?.id]
        .filter((id) => id !== undefined)
        .map((id) => settled(id!)),
    ),
    settled(stack.prometheusRoleBinding.id),
    settled(stack.grafanaAdminSecret.id),
    settled(stack.agentNamespace.id),
    ...stack.grafanaConfigMaps.map((c) => settled(c.id)),
  ]);
  return stack;
}

describe("observability: ObservabilityStack (Pulumi mocks)", () => {
  let resources: RecordedResource[];
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const named = (type: string, name: string, namespace = "traderx") => {
    const found = ofType(type).find(
      (r) => r.inputs.metadata?.name === name && (r.inputs.metadata?.namespace ?? namespace) === namespace,
    );
    if (!found) throw new Error(`no ${type} ${namespace}/${name}`);
    return found;
  };
  const controllerOf = (workload: string) => {
    const w = catalog.find((x) => x.name === workload)!;
    return named(`kubernetes:apps/v1:${w.kind}`, workload, namespaceOfWorkload(w, "traderx"));
  };
  const podSpec = (workload: string) => controllerOf(workload).inputs.spec.template.spec;
  const container = (workload: string) => podSpec(workload).containers[0];

  before(async () => {
    resources = recordResources();
    await deploy("obs");
  });

  it("creates one controller per catalog observability workload, of the catalog's kind and image", () => {
    for (const w of stackWorkloads) {
      const controller = controllerOf(w.name);
      expect(controller.inputs.spec.template.spec.containers[0].image, w.name).to.equal(
        w.image.kind === "pinned" ? w.image.ref : "",
      );
    }
    expect(ofType("kubernetes:apps/v1:DaemonSet").map((r) => r.inputs.metadata.name)).to.deep.equal([
      "otel-log-agent",
    ]);
    expect(ofType("kubernetes:apps/v1:StatefulSet").map((r) => r.inputs.metadata.name)).to.deep.equal([
      "prometheus",
    ]);
  });

  it("gives every stack pod the full hardening", () => {
    for (const w of stackWorkloads) {
      assertHardenedPod(controllerOf(w.name).inputs.spec.template, { kind: w.kind, where: w.name });
    }
  });

  it("fronts every workload with ports by a Service with the catalog's named ports", () => {
    for (const w of stackWorkloads) {
      const service = named("kubernetes:core/v1:Service", w.name, namespaceOfWorkload(w, "traderx"));
      expect(
        service.inputs.spec.ports.map((p: any) => [p.name, p.port]),
        w.name,
      ).to.deep.equal(w.ports.map((p) => [p.name, p.port]));
      expect(service.inputs.spec.type).to.equal("ClusterIP");
    }
  });

  it("mounts a rendered ConfigMap into each configured workload and passes the config path", () => {
    const expected: Record<string, [string, string]> = {
      prometheus: ["prometheus.yml", "--config.file=/etc/prometheus/prometheus.yml"],
      loki: ["loki.yaml", "-config.file=/etc/loki/loki.yaml"],
      tempo: ["tempo.yaml", "-config.file=/etc/tempo/tempo.yaml"],
      "otel-collector": ["config.yaml", "--config=/etc/otelcol/config.yaml"],
      "otel-log-agent": ["config.yaml", "--config=/etc/otelcol/config.yaml"],
      "blackbox-exporter": ["blackbox.yml", "--config.file=/etc/blackbox/blackbox.yml"],
    };
    for (const [workload, [file, arg]] of Object.entries(expected)) {
      const w = catalog.find((x) => x.name === workload)!;
      const configMap = named(
        "kubernetes:core/v1:ConfigMap",
        `${workload}-config`,
        namespaceOfWorkload(w, "traderx"),
      );
      expect(configMap.inputs.data, workload).to.have.property(file);
      expect(container(workload).args, workload).to.include(arg);
    }
    const prometheus = parse(
      named("kubernetes:core/v1:ConfigMap", "prometheus-config").inputs.data["prometheus.yml"],
    );
    expect(prometheus.rule_files).to.deep.equal(["/etc/prometheus/traderx-alerts.yml"]);
    expect(prometheus.scrape_configs[0].kubernetes_sd_configs[0].namespaces.names).to.deep.equal(["traderx"]);
  });

  it("gives Prometheus a ServiceAccount and a namespaced Role to discover EndpointSlices, Services and pods", () => {
    const account = named("kubernetes:core/v1:ServiceAccount", "prometheus");
    const role = named("kubernetes:rbac.authorization.k8s.io/v1:Role", "prometheus-discovery");
    const binding = named("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "prometheus-discovery");
    expect(role.inputs.rules).to.deep.include({
      apiGroups: ["discovery.k8s.io"],
      resources: ["endpointslices"],
      verbs: ["get", "list", "watch"],
    });
    expect(role.inputs.rules.flatMap((r: any) => r.verbs)).to.not.include.members([
      "create",
      "update",
      "delete",
    ]);
    expect(binding.inputs.roleRef).to.deep.equal({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "prometheus-discovery",
    });
    expect(binding.inputs.subjects).to.deep.equal([
      { kind: "ServiceAccount", name: account.inputs.metadata.name, namespace: "traderx" },
    ]);
    expect(podSpec("prometheus").serviceAccountName).to.equal("prometheus");
    expect(ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")).to.have.length(0);
    // Only Prometheus talks to the API server.
    for (const w of stackWorkloads.filter((x) => x.name !== "prometheus")) {
      expect(podSpec(w.name).automountServiceAccountToken, w.name).to.equal(false);
    }
  });

  it("keeps Prometheus's TSDB on a PVC and serves it under /prometheus", () => {
    const spec = controllerOf("prometheus").inputs.spec;
    expect(spec.volumeClaimTemplates).to.have.length(1);
    expect(spec.volumeClaimTemplates[0].metadata.name).to.equal("tsdb");
    expect(spec.volumeClaimTemplates[0].spec.resources.requests.storage).to.equal("2Gi");
    expect(container("prometheus").volumeMounts).to.deep.include({ name: "tsdb", mountPath: "/prometheus" });
    expect(container("prometheus").args).to.include.members([
      "--storage.tsdb.path=/prometheus",
      "--web.route-prefix=/prometheus",
      "--web.external-url=/prometheus",
      "--storage.tsdb.retention.size=1638MB",
    ]);
  });

  it("runs the log agent in its own privileged namespace with /var/log/pods read-only, non-root", () => {
    const namespace = named("kubernetes:core/v1:Namespace", observabilityNamespaceOf("traderx"), "");
    expect(namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).to.equal("privileged");
    const spec = podSpec("otel-log-agent");
    expect(spec.volumes).to.deep.include({
      name: "pod-logs",
      hostPath: { path: "/var/log/pods", type: "Directory" },
    });
    expect(container("otel-log-agent").volumeMounts).to.deep.include({
      name: "pod-logs",
      mountPath: "/var/log/pods",
      readOnly: true,
    });
    expect(spec.securityContext.supplementalGroups).to.deep.equal([0]);
    expect(spec.securityContext.runAsNonRoot).to.equal(true);
    // No other pod gets a hostPath, so the app namespace can stay restricted.
    for (const w of stackWorkloads.filter((x) => !x.nodeLogs)) {
      expect(
        podSpec(w.name).volumes.filter((v: any) => v.hostPath),
        w.name,
      ).to.deep.equal([]);
    }
    const config = parse(
      named("kubernetes:core/v1:ConfigMap", "otel-log-agent-config", "traderx-observability").inputs.data[
        "config.yaml"
      ],
    );
    expect(config.exporters["otlphttp/loki"].logs_endpoint).to.equal(
      "http://loki.traderx.svc:3100/otlp/v1/logs",
    );
  });

  it("gives Grafana its admin password from a Secret and its provisioning at Grafana's paths", () => {
    const secret = named("kubernetes:core/v1:Secret", "grafana-admin");
    // Mocks receive a secret as Pulumi's wire form: a marked wrapper around the value.
    const data = secret.inputs.stringData;
    expect(data[SECRET_SIGNATURE_KEY]).to.equal(SECRET_SIGNATURE);
    expect(data.value["admin-password"]).to.equal("correct horse battery");
    const env = container("grafana").env;
    expect(env).to.deep.include({
      name: "GF_SECURITY_ADMIN_PASSWORD",
      valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-password" } },
    });
    expect(env).to.deep.include({ name: "GF_SERVER_SERVE_FROM_SUB_PATH", value: "true" });
    expect(env).to.deep.include({ name: "GF_SERVER_ROOT_URL", value: "%(protocol)s://%(domain)s/grafana/" });
    const provisioning = podSpec("grafana").volumes.find((v: any) => v.name === "provisioning");
    expect(provisioning.configMap.items.map((i: any) => i.path)).to.deep.equal([
      "datasources/traderx.yaml",
      "dashboards/traderx.yaml",
    ]);
    const dashboards = named("kubernetes:core/v1:ConfigMap", "grafana-dashboards").inputs.data;
    expect(Object.keys(dashboards)).to.include("traderx-runtime-health.json");
    const datasources = parse(
      named("kubernetes:core/v1:ConfigMap", "grafana-provisioning").inputs.data["datasources.yaml"],
    );
    expect(datasources.datasources[0].url).to.equal("http://prometheus:9090/prometheus");
  });

  it("gives the postgres exporter its role's password from the database Secret, defined before use", () => {
    const env: any[] = container("postgres-exporter").env;
    const index = (name: string) => env.findIndex((e) => e.name === name);
    expect(env[index("DATABASE_DBPASS")].valueFrom.secretKeyRef).to.deep.equal({
      name: "database-credentials",
      key: "metrics_reader",
    });
    expect(index("DATABASE_DBPASS")).to.be.below(index("DATA_SOURCE_PASS"));
    expect(index("DATABASE_DBUSER")).to.be.below(index("DATA_SOURCE_USER"));
    expect(env[index("DATA_SOURCE_URI")].value).to.equal("database:5432/traderx?sslmode=disable");
  });

  it("rolls a workload when its rendered config changes, and only that workload", async () => {
    const other = resources.length;
    await deploy("obs-longer-logs", { namespace: "traderx-b", lokiRetention: "96h" });
    const checksum = (name: string, namespace: string) =>
      resources
        .slice(0)
        .filter(
          (r) =>
            r.inputs.metadata?.name === name &&
            r.inputs.metadata?.namespace === namespace &&
            r.inputs.spec?.template,
        )
        .map((r) => r.inputs.spec.template.metadata.annotations["checksum/config"])[0];
    expect(resources.length).to.be.greaterThan(other);
    expect(checksum("loki", "traderx")).to.match(/^[0-9a-f]{64}$/);
    expect(checksum("loki", "traderx-b")).to.not.equal(checksum("loki", "traderx"));
    expect(checksum("tempo", "traderx-b")).to.equal(checksum("tempo", "traderx"));
  });

  it("refuses a workload selection without the stack, saying why", () => {
    expect(
      () =>
        new ObservabilityStack("obs-off", {
          namespace: "traderx",
          instance: "traderx",
          publicOrigin: ORIGIN,
          grafanaAdminPassword: "x",
          workloads: selectWorkloads({ observability: false }),
        }),
    ).to.throw(/no observability workloads.*traderx:observability/);
  });
});

describe("observability: the traderx:observability switch", () => {
  const off = selectWorkloads({ observability: false });

  it("removes every stack workload from the selection", () => {
    expect(off.filter((w) => w.optional === "observability")).to.deep.equal([]);
    expect(off.filter((w) => w.tier === "observability")).to.deep.equal([]);
    expect(selectWorkloads({ observability: true }).filter((w) => w.optional)).to.have.length(
      stackWorkloads.length,
    );
  });

  it("removes the /grafana/ and /prometheus/ edge routes", () => {
    const render = (workloads: typeof off) =>
      renderEdgeNginxConf({
        workloads,
        peers: clusterPeerAddresses(workloads, ORIGIN),
        listenPort: 8080,
        runtimeDir: "/tmp",
      });
    const on = render(selectWorkloads({ observability: true }));
    expect(on).to.include("location /grafana/");
    expect(on).to.include("location /prometheus/");
    const without = render(off);
    expect(without).to.not.include("/grafana/");
    expect(without).to.not.include("/prometheus/");
  });

  it("removes the services' OTLP exporter setting, since there is no collector to send to", () => {
    const peers = clusterPeerAddresses(off, ORIGIN);
    const service = off.find((w) => w.name === "trade-service")!;
    expect(service.env(peers)).to.not.have.property("OTEL_EXPORTER_OTLP_ENDPOINT");
  });
});

describe("observability: resource footprint", () => {
  it("fits a laptop: the stack requests under 1 CPU and 1.25 GiB", () => {
    const stack = footprintOf(stackWorkloads);
    const dev = footprintOf(selectWorkloads({ observability: true }));
    const app = footprintOf(selectWorkloads({ observability: false }));
    const line = (name: string, f: typeof stack) =>
      `${name}: ${f.pods} pods, requests ${f.cpuMillis.requests}m CPU / ${f.memoryMiB.requests} MiB, ` +
      `limits ${f.cpuMillis.limits}m CPU / ${f.memoryMiB.limits} MiB`;
    console.log(
      `      ${line("observability stack", stack)}\n      ${line("app only", app)}\n      ${line("whole dev stack", dev)}\n` +
        "      reference: OpenTelemetry demo ~6 GB RAM; Online Boutique 1.37 GiB of requests",
    );
    expect(stack.cpuMillis.requests).to.be.below(1000);
    expect(stack.memoryMiB.requests).to.be.below(1280);
    expect(dev.memoryMiB.requests).to.equal(stack.memoryMiB.requests + app.memoryMiB.requests);
  });
});
