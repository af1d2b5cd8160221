/**
 * `ObservabilityStack`: the optional observability stack (`traderx:observability`) as Kubernetes objects.
 *
 * Every pod is a `HardenedWorkload` built from its catalog entry (components/catalog/observability.ts), so
 * it gets the same hardening, labels and checksum-driven rollouts as the application; this component only
 * wires rendered configs into them:
 * - Prometheus: StatefulSet with its TSDB on a PVC, a ServiceAccount with a namespaced Role for
 *   EndpointSlice discovery, `prometheus.yml` and the alert rules in one ConfigMap.
 * - Grafana: admin password from a Secret (secret stack config), datasource and dashboard provisioning
 *   and the dashboards in ConfigMaps mounted where Grafana reads them.
 * - Loki, Tempo, the collector gateway, the blackbox and postgres exporters: one ConfigMap each.
 * - The collector log agent: a DaemonSet in the separate observability namespace, which alone has Pod
 *   Security `privileged` because the agent mounts `/var/log/pods` (read-only). The app namespace stays
 *   `restricted`.
 * Which workloads exist is decided by the catalog selection the platform passes in; a catalog
 * observability workload without a recipe here is an error, so a new entry cannot be silently skipped.
 *
 * Pinned images (refs in the catalog) and the config formats they imply, detailed in each renderer:
 * Prometheus v3.7.3 (config kept 2.42-compatible; OTLP and remote-write receivers by flag), Grafana
 * 12.2.1 (file provisioning, sub-path serving), Loki 3.5.8 (TSDB v13, native OTLP), Tempo 2.8.2 (explicit
 * 0.0.0.0 receivers, overrides.defaults), collector-contrib 0.139.0 (telemetry readers, otlphttp to
 * Loki, filelog container operator), blackbox-exporter v0.27.0, postgres-exporter v0.17.1 (DATA_SOURCE_*).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  DATABASE_SECRET_NAME,
  PeerAddresses,
  Workload,
  clusterPeerAddresses,
  databaseEnv,
  databaseSecretEnv,
  portByName,
  selectWorkloads,
} from "../catalog";
import { podSecurityLabels } from "../security/app-namespace";
import { HardenedWorkload, HardenedWorkloadArgs } from "../workloads";
import { renderBlackboxConfig } from "./blackbox-config";
import {
  renderGatewayCollectorConfig,
  renderLogAgentCollectorConfig,
  NODE_POD_LOGS_DIR,
} from "./collector-config";
import { renderDashboardFiles } from "./grafana/dashboards";
import { renderDashboardProvider, renderDatasources } from "./grafana/provisioning";
import { renderLokiConfig } from "./loki-config";
import {
  PROMETHEUS_ROUTE_PREFIX,
  prometheusArgs,
  renderAlertRules,
  renderPrometheusConfig,
} from "./prometheus-config";
import { renderTempoConfig } from "./tempo-config";

/** The namespace of node agents that need a hostPath, next to the app namespace. */
export function observabilityNamespaceOf(appNamespace: string): string {
  return `${appNamespace}-observability`;
}

/** Namespace a workload runs in: node log agents in the observability namespace, the rest with the app. */
export function namespaceOfWorkload(workload: Workload, appNamespace: string): string {
  return workload.nodeLogs ? observabilityNamespaceOf(appNamespace) : appNamespace;
}

export const GRAFANA_ADMIN_SECRET = "grafana-admin";
const GRAFANA_ADMIN_PASSWORD_KEY = "admin-password";
const PROMETHEUS_SERVICE_ACCOUNT = "prometheus";
const GRAFANA_DASHBOARDS_DIR = "/var/lib/grafana-dashboards/traderx";

export interface ObservabilityStackArgs {
  /**
   * The app namespace, where every observability workload but the log agent runs. Plain, not an
   * Input: it is rendered into the Prometheus discovery config and the log agent's file paths.
   */
  namespace: string;
  /** `app.kubernetes.io/instance` of every object. */
  instance: string;
  /** Browser origin of the edge, e.g. `http://localhost:8080`; Grafana builds its links from it. */
  publicOrigin: string;
  /** Grafana's admin password, from secret stack config. */
  grafanaAdminPassword: pulumi.Input<string>;
  /** Every deployed workload (the stack scrapes, probes and reads from them). Defaults to all of them. */
  workloads?: readonly Workload[];
  /** Size of Prometheus's TSDB volume. */
  prometheusStorage?: string;
  /** How long Prometheus keeps samples; it also stays under `prometheusStorage` (size-based retention). */
  prometheusRetention?: string;
  /** How long Loki keeps log lines. */
  lokiRetention?: string;
  /**
   * A checksum of the database credentials Secret: the postgres exporter logs in with a password from it,
   * so a change rolls the exporter. Without it, only its own config does.
   */
  databaseCredentialsChecksum?: pulumi.Input<string>;
}

/** What a workload's pod needs beyond its catalog entry. */
type Recipe = Omit<HardenedWorkloadArgs, "workload" | "namespace" | "image" | "instance">;

/** An emptyDir for data that may be lost with the pod, mounted at `mountPath`. */
function scratchVolume(mountPath: string, sizeLimit: string): Pick<Recipe, "volumes" | "volumeMounts"> {
  return {
    volumes: [{ name: "data", emptyDir: { sizeLimit } }],
    volumeMounts: [{ name: "data", mountPath }],
  };
}

interface RecipeContext {
  workload: Workload;
  peers: PeerAddresses;
  args: Required<Omit<ObservabilityStackArgs, "grafanaAdminPassword" | "databaseCredentialsChecksum">> &
    Pick<ObservabilityStackArgs, "databaseCredentialsChecksum">;
  port(name: string): number;
}

const RECIPES: Record<string, (ctx: RecipeContext) => Recipe> = {
  prometheus: ({ args }) => {
    const configFile = "/etc/prometheus/prometheus.yml";
    const rulesFile = "/etc/prometheus/traderx-alerts.yml";
    return {
      configFiles: {
        mountPath: "/etc/prometheus",
        files: {
          "prometheus.yml": renderPrometheusConfig({
            workloads: args.workloads,
            peers: clusterPeerAddresses(args.workloads, args.publicOrigin),
            discovery: { kind: "kubernetes", namespace: args.namespace },
            ruleFiles: [rulesFile],
          }),
          "traderx-alerts.yml": renderAlertRules(),
        },
      },
      args: [
        ...prometheusArgs({
          workloads: args.workloads,
          configFile,
          storagePath: "/prometheus",
          retention: args.prometheusRetention,
        }),
        // Leave headroom on the volume for the WAL and compaction.
        `--storage.tsdb.retention.size=${retentionSizeFor(args.prometheusStorage)}`,
      ],
      persistentVolumes: [{ name: "tsdb", mountPath: "/prometheus", size: args.prometheusStorage }],
      serviceAccountName: PROMETHEUS_SERVICE_ACCOUNT,
    };
  },
  grafana: ({ workload, peers }) => ({
    env: {
      ...workload.env(peers),
      GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
      GF_PATHS_DATA: "/var/lib/grafana",
    },
    secretEnv: {
      GF_SECURITY_ADMIN_PASSWORD: { secretName: GRAFANA_ADMIN_SECRET, key: GRAFANA_ADMIN_PASSWORD_KEY },
    },
    volumes: [
      { name: "data", emptyDir: { sizeLimit: "256Mi" } },
      {
        name: "provisioning",
        configMap: {
          name: "grafana-provisioning",
          items: [
            { key: "datasources.yaml", path: "datasources/traderx.yaml" },
            { key: "dashboards.yaml", path: "dashboards/traderx.yaml" },
          ],
        },
      },
      { name: "dashboards", configMap: { name: "grafana-dashboards" } },
    ],
    volumeMounts: [
      { name: "data", mountPath: "/var/lib/grafana" },
      { name: "provisioning", mountPath: "/etc/grafana/provisioning", readOnly: true },
      { name: "dashboards", mountPath: GRAFANA_DASHBOARDS_DIR, readOnly: true },
    ],
  }),
  loki: ({ port, args }) => ({
    configFiles: {
      mountPath: "/etc/loki",
      files: {
        "loki.yaml": renderLokiConfig({
          httpPort: port("http"),
          grpcPort: port("grpc"),
          dataDir: "/var/loki",
          retention: args.lokiRetention,
        }),
      },
    },
    args: ["-config.file=/etc/loki/loki.yaml", "-target=all"],
    ...scratchVolume("/var/loki", "2Gi"),
  }),
  tempo: ({ port, peers }) => ({
    configFiles: {
      mountPath: "/etc/tempo",
      files: {
        "tempo.yaml": renderTempoConfig({
          httpPort: port("http"),
          otlpGrpcPort: port("otlp-grpc"),
          otlpHttpPort: port("otlp-http"),
          dataDir: "/var/tempo",
          remoteWriteUrl: `${peers.url("prometheus", "http")}${PROMETHEUS_ROUTE_PREFIX}/api/v1/write`,
        }),
      },
    },
    args: ["-config.file=/etc/tempo/tempo.yaml"],
    ...scratchVolume("/var/tempo", "2Gi"),
  }),
  "otel-collector": ({ port, peers }) => ({
    configFiles: {
      mountPath: "/etc/otelcol",
      files: {
        "config.yaml": renderGatewayCollectorConfig({
          ports: {
            otlpGrpc: port("otlp-grpc"),
            otlpHttp: port("otlp-http"),
            health: port("health"),
            telemetry: port("metrics"),
          },
          tempoOtlpGrpc: `${peers.host("tempo")}:${peers.port("tempo", "otlp-grpc")}`,
          prometheusOtlpMetricsUrl: `${peers.url("prometheus", "http")}${PROMETHEUS_ROUTE_PREFIX}/api/v1/otlp/v1/metrics`,
          lokiOtlpLogsUrl: `${peers.url("loki", "http")}/otlp/v1/logs`,
        }),
      },
    },
    args: ["--config=/etc/otelcol/config.yaml"],
  }),
  "otel-log-agent": ({ port, peers, args }) => ({
    configFiles: {
      mountPath: "/etc/otelcol",
      files: {
        "config.yaml": renderLogAgentCollectorConfig({
          ports: { health: port("health"), telemetry: port("metrics") },
          namespaces: [args.namespace],
          // The agent runs in another namespace, so Loki's Service name is namespace-qualified.
          lokiOtlpLogsUrl: `http://${peers.host("loki")}.${args.namespace}.svc:${peers.port("loki", "http")}/otlp/v1/logs`,
          storageDir: "/var/lib/otelcol",
        }),
      },
    },
    args: ["--config=/etc/otelcol/config.yaml"],
    volumes: [
      { name: "pod-logs", hostPath: { path: NODE_POD_LOGS_DIR, type: "Directory" } },
      { name: "checkpoints", emptyDir: { sizeLimit: "64Mi" } },
    ],
    volumeMounts: [
      { name: "pod-logs", mountPath: NODE_POD_LOGS_DIR, readOnly: true },
      { name: "checkpoints", mountPath: "/var/lib/otelcol" },
    ],
  }),
  "blackbox-exporter": () => ({
    configFiles: { mountPath: "/etc/blackbox", files: { "blackbox.yml": renderBlackboxConfig() } },
    args: ["--config.file=/etc/blackbox/blackbox.yml"],
  }),
  "postgres-exporter": ({ workload, peers, args }) => ({
    // Database env first: the exporter's own env refers to DATABASE_DBUSER / DATABASE_DBPASS as $(…).
    env: { ...databaseEnv(workload, peers, args.workloads), ...workload.env(peers) },
    secretEnv: Object.fromEntries(
      Object.entries(databaseSecretEnv(workload, args.workloads)).map(([name, role]) => [
        name,
        { secretName: DATABASE_SECRET_NAME, key: role },
      ]),
    ),
    checksumInputs: args.databaseCredentialsChecksum ? [args.databaseCredentialsChecksum] : [],
  }),
};

/** 80% of a volume size such as `2Gi`, in Prometheus's size syntax (`1638MB`). */
function retentionSizeFor(volumeSize: string): string {
  const match = /^(\d+)(Mi|Gi)$/.exec(volumeSize);
  if (!match) throw new Error(`prometheusStorage must look like 2Gi or 512Mi (got "${volumeSize}")`);
  const mebibytes = Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
  return `${Math.floor(mebibytes * 0.8)}MB`;
}

export class ObservabilityStack extends pulumi.ComponentResource {
  /** Namespace of the node log agent. */
  public readonly agentNamespace: k8s.core.v1.Namespace;
  /** Workload name -> its Kubernetes objects. */
  public readonly workloads: Record<string, HardenedWorkload> = {};
  public readonly prometheusServiceAccount: k8s.core.v1.ServiceAccount;
  public readonly prometheusRole: k8s.rbac.v1.Role;
  public readonly prometheusRoleBinding: k8s.rbac.v1.RoleBinding;
  public readonly grafanaAdminSecret: k8s.core.v1.Secret;
  public readonly grafanaConfigMaps: k8s.core.v1.ConfigMap[];

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("traderx:observability:ObservabilityStack", name, {}, opts);
    const settings: RecipeContext["args"] = {
      namespace: args.namespace,
      instance: args.instance,
      publicOrigin: args.publicOrigin,
      workloads: args.workloads ?? selectWorkloads({ observability: true }),
      prometheusStorage: args.prometheusStorage ?? "2Gi",
      prometheusRetention: args.prometheusRetention ?? "3d",
      lokiRetention: args.lokiRetention ?? "72h",
      databaseCredentialsChecksum: args.databaseCredentialsChecksum,
    };
    const stack = settings.workloads.filter((w) => w.optional === "observability");
    if (stack.length === 0) {
      throw new Error(
        "ObservabilityStack: the workload selection has no observability workloads (traderx:observability is false?)",
      );
    }
    const child = { parent: this };
    const peers = clusterPeerAddresses(settings.workloads, settings.publicOrigin);
    const labels = (component: string) => ({
      "app.kubernetes.io/part-of": "traderx",
      "app.kubernetes.io/component": "observability",
      "app.kubernetes.io/name": component,
      "app.kubernetes.io/instance": settings.instance,
      "app.kubernetes.io/managed-by": "pulumi",
    });
    const inApp = (objectName: string, component: string) => ({
      name: objectName,
      namespace: settings.namespace,
      labels: labels(component),
    });

    const agentNamespaceName = observabilityNamespaceOf(settings.namespace);
    this.agentNamespace = new k8s.core.v1.Namespace(
      `${name}-agents`,
      {
        metadata: {
          name: agentNamespaceName,
          // hostPath volumes are refused by the baseline and restricted levels.
          labels: { ...podSecurityLabels("privileged"), ...labels("node-agents") },
        },
      },
      child,
    );

    this.prometheusServiceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-prometheus`,
      { metadata: inApp(PROMETHEUS_SERVICE_ACCOUNT, "prometheus"), automountServiceAccountToken: false },
      child,
    );
    this.prometheusRole = new k8s.rbac.v1.Role(
      `${name}-prometheus-discovery`,
      {
        metadata: inApp("prometheus-discovery", "prometheus"),
        rules: [
          { apiGroups: [""], resources: ["services", "pods"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        ],
      },
      child,
    );
    this.prometheusRoleBinding = new k8s.rbac.v1.RoleBinding(
      `${name}-prometheus-discovery`,
      {
        metadata: inApp("prometheus-discovery", "prometheus"),
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: this.prometheusRole.metadata.name,
        },
        subjects: [
          { kind: "ServiceAccount", name: PROMETHEUS_SERVICE_ACCOUNT, namespace: settings.namespace },
        ],
      },
      child,
    );

    this.grafanaAdminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: inApp(GRAFANA_ADMIN_SECRET, "grafana"),
        type: "Opaque",
        stringData: { [GRAFANA_ADMIN_PASSWORD_KEY]: pulumi.secret(args.grafanaAdminPassword) },
      },
      child,
    );
    const provisioning = {
      "datasources.yaml": renderDatasources({
        prometheus: `${peers.url("prometheus", "http")}${PROMETHEUS_ROUTE_PREFIX}`,
        loki: peers.url("loki", "http"),
        tempo: peers.url("tempo", "http"),
      }),
      "dashboards.yaml": renderDashboardProvider(GRAFANA_DASHBOARDS_DIR),
    };
    const dashboards = renderDashboardFiles();
    this.grafanaConfigMaps = [
      new k8s.core.v1.ConfigMap(
        `${name}-grafana-provisioning`,
        { metadata: inApp("grafana-provisioning", "grafana"), data: provisioning },
        child,
      ),
      new k8s.core.v1.ConfigMap(
        `${name}-grafana-dashboards`,
        { metadata: inApp("grafana-dashboards", "grafana"), data: dashboards },
        child,
      ),
    ];

    for (const workload of stack) {
      const recipe = RECIPES[workload.name];
      if (!recipe) {
        throw new Error(
          `catalog observability workload "${workload.name}" has no recipe in components/observability/observability-stack.ts`,
        );
      }
      if (workload.image.kind !== "pinned") {
        throw new Error(`observability workload "${workload.name}" must use a pinned image`);
      }
      const extra = recipe({ workload, peers, args: settings, port: (p) => portByName(workload, p).port });
      // What a pod needs before it starts: Grafana its Secret and provisioning, Prometheus its RBAC.
      const prerequisites: Record<string, pulumi.Resource[]> = {
        grafana: [this.grafanaAdminSecret, ...this.grafanaConfigMaps],
        prometheus: [this.prometheusRoleBinding, this.prometheusServiceAccount],
      };
      this.workloads[workload.name] = new HardenedWorkload(
        `${name}-${workload.name}`,
        {
          ...extra,
          workload,
          namespace: workload.nodeLogs ? this.agentNamespace.metadata.name : settings.namespace,
          image: workload.image.ref,
          instance: settings.instance,
          // Grafana's provisioning lives in its own ConfigMaps (nested paths); their content rolls its pods.
          ...(workload.name === "grafana"
            ? { checksumInputs: [JSON.stringify(provisioning), JSON.stringify(dashboards)] }
            : {}),
        },
        { ...child, dependsOn: prerequisites[workload.name] ?? [] },
      );
    }

    this.registerOutputs({
      agentNamespace: this.agentNamespace,
      workloads: this.workloads,
      prometheusServiceAccount: this.prometheusServiceAccount,
      grafanaAdminSecret: this.grafanaAdminSecret,
    });
  }
}
