/**
 * `TraderxPlatform`: everything inside the cluster, derived from the selected catalog workloads.
 *
 * Rollout order follows the data: namespace and credentials; PostgreSQL and NATS (StatefulSets on PVCs);
 * the migrations Job once the database is ready and its image is loaded; the services once their image is
 * loaded (and, for database clients, once the migrations have completed); the observability stack; then
 * the edge, whose nginx resolves every upstream Service at start. NetworkPolicies come from the same
 * catalog. The Kubernetes provider is passed once, in this component's options.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  DATABASE_SECRET_NAME,
  PeerAddresses,
  Workload,
  clusterPeerAddresses,
  edgeUpstreams,
  workloadByName,
} from "../catalog";
import { MetricsServer } from "../cluster/metrics-server";
import type { PlatformConfig } from "../config/platform-config";
import {
  BACKUP_VOLUME_CLAIM,
  backupPodShape,
  credentialsVersion,
  databaseClientEnv,
  databaseRolePasswords,
  renderBackupCronJobSpec,
  renderOwnerPasswordSync,
} from "../data/database";
import { edgeProxyPod } from "../edge/edge-proxy";
import type { BuiltImage } from "../images/service-images";
import { renderNatsConfig } from "../messaging/nats-config";
import { ObservabilityStack, namespaceOfWorkload } from "../observability";
import { appNamespace } from "../security/app-namespace";
import { renderNetworkPolicies } from "../security/network-policies";
import { PART_OF, selectorLabels } from "../workloads/hardened-pod";
import { Autoscaling, HardenedWorkload, HardenedWorkloadArgs } from "../workloads/hardened-workload";

/** `app.kubernetes.io/instance` of every object. */
export const INSTANCE = "traderx";
const HPA_CPU_UTILIZATION = 70;
const DATABASE_VOLUME_SIZE = "2Gi";
const BACKUP_VOLUME_SIZE = "2Gi";
const NATS_VOLUME_SIZE = "2Gi";
const NATS_STORE_DIR = "/data/jetstream";
const NATS_CONFIG_DIR = "/etc/nats";

export interface TraderxPlatformArgs {
  config: Pick<
    PlatformConfig,
    | "namespace"
    | "hostPort"
    | "nodePort"
    | "replicas"
    | "autoscaling"
    | "networkPolicies"
    | "dbPassword"
    | "grafanaAdminPassword"
  >;
  /** The selected workloads (observability included or not). */
  workloads: readonly Workload[];
  /** Built workload name -> its image and the load that must finish before its pods start. */
  images: Record<string, BuiltImage>;
}

/** Workloads that list and watch Kubernetes objects: Prometheus discovers its scrape targets. */
const KUBERNETES_API_CLIENTS = ["prometheus"];

export class TraderxPlatform extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly workloads: Record<string, HardenedWorkload> = {};
  /** Image reference per workload, built or pinned. */
  public readonly imageRefs: Record<string, string> = {};
  public readonly observability?: ObservabilityStack;

  constructor(name: string, args: TraderxPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("traderx:platform:TraderxPlatform", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    const publicOrigin = `http://localhost:${config.hostPort}`;
    const peers = clusterPeerAddresses(args.workloads, publicOrigin);
    const has = (workloadName: string) => args.workloads.some((w) => w.name === workloadName);

    this.namespace = appNamespace("namespace", config.namespace, child);
    const namespace = this.namespace.metadata.name;

    const credentials = new k8s.core.v1.Secret(
      "database-credentials",
      {
        metadata: {
          ...objectMetadata(DATABASE_SECRET_NAME, namespace),
        },
        type: "Opaque",
        stringData: pulumi.secret(config.dbPassword.apply((pw) => databaseRolePasswords(pw, args.workloads))),
      },
      child,
    );
    // Pods hold the passwords they started with, so the pods that read the Secret carry a version of it
    // (Helm's checksum/secret idiom): a new traderx:dbPassword rolls them, and replaces the migrations Job.
    // Not a Pulumi secret: that would hide the whole pod template of every database client in previews.
    const credentialsChecksum = pulumi.unsecret(config.dbPassword.apply(credentialsVersion));

    const imageOf = (workload: Workload) => {
      const ref = workload.image.kind === "pinned" ? workload.image.ref : args.images[workload.name].ref;
      this.imageRefs[workload.name] = ref;
      return ref;
    };
    const imageLoadOf = (workload: Workload): pulumi.Resource[] => {
      const load = args.images[workload.name]?.load;
      return load ? [load] : [];
    };
    const scalingOf = (workload: Workload): { replicas: number; autoscaling?: Autoscaling } => {
      if (workload.kind !== "Deployment" || workload.singleton) return { replicas: 1 };
      return {
        replicas: config.replicas,
        autoscaling: config.autoscaling
          ? {
              minReplicas: config.replicas,
              maxReplicas: Math.max(3, config.replicas * 3),
              cpuUtilization: HPA_CPU_UTILIZATION,
            }
          : undefined,
      };
    };
    const deploy = (workload: Workload, extra: Partial<HardenedWorkloadArgs> = {}): HardenedWorkload => {
      const database = databaseClientEnv(workload, peers, args.workloads);
      const { waitFor, env, secretEnv, checksumInputs, ...rest } = extra;
      const allSecretEnv = { ...database.secretEnv, ...secretEnv };
      const readsCredentials = Object.values(allSecretEnv).some(
        (ref) => ref.secretName === DATABASE_SECRET_NAME,
      );
      const deployed = new HardenedWorkload(
        workload.name,
        {
          workload,
          namespace,
          image: imageOf(workload),
          instance: INSTANCE,
          ...scalingOf(workload),
          ...rest,
          // Database env first: catalog env may reference it, e.g. `$(DATABASE_DBUSER)`.
          env: { ...database.env, ...workload.env(peers), ...env },
          secretEnv: allSecretEnv,
          checksumInputs: [...(checksumInputs ?? []), ...(readsCredentials ? [credentialsChecksum] : [])],
          waitFor: [...imageLoadOf(workload), ...(waitFor ?? [])],
        },
        child,
      );
      this.workloads[workload.name] = deployed;
      return deployed;
    };

    // Data and messaging.
    const databaseWorkload = workloadByName("database", args.workloads);
    const database = deploy(databaseWorkload, {
      secretEnv: { POSTGRES_PASSWORD: { secretName: DATABASE_SECRET_NAME, key: "traderx" } },
      postStart: ["sh", "-c", renderOwnerPasswordSync()],
      persistentVolumes: [
        { name: "data", mountPath: "/var/lib/postgresql/data", size: DATABASE_VOLUME_SIZE },
      ],
      // PostgreSQL puts its socket and lock file here; the root filesystem is read-only.
      volumes: [{ name: "run", emptyDir: { sizeLimit: "16Mi" } }],
      volumeMounts: [{ name: "run", mountPath: "/var/run/postgresql" }],
      waitFor: [credentials],
    });
    this.databaseBackup(databaseWorkload, imageOf(databaseWorkload), namespace, peers, [
      credentials,
      database.controller,
    ]);

    const brokerWorkload = workloadByName("nats-broker", args.workloads);
    const nats = deploy(brokerWorkload, {
      command: ["nats-server"],
      args: ["--config", `${NATS_CONFIG_DIR}/nats.conf`],
      configFiles: {
        mountPath: NATS_CONFIG_DIR,
        files: {
          "nats.conf": renderNatsConfig({
            broker: brokerWorkload,
            storeDir: NATS_STORE_DIR,
            maxFileStore: "1536MB",
            maxMemoryStore: "64MB",
          }),
        },
      },
      persistentVolumes: [{ name: "data", mountPath: "/data", size: NATS_VOLUME_SIZE }],
    });

    const migrations = deploy(workloadByName("database-migrations", args.workloads), {
      waitFor: [database.controller],
    });
    const databaseReady = [migrations.controller];

    // Services and UI: everything that is neither data, messaging, edge nor observability.
    for (const workload of args.workloads) {
      if (workload.tier !== "app" && workload.tier !== "ui") continue;
      deploy(workload, {
        waitFor: [
          ...(workload.database ? databaseReady : []),
          ...(workload.calls.includes("nats-broker") ? [nats.controller] : []),
        ],
      });
    }

    const observabilityServices: pulumi.Resource[] = [];
    if (args.workloads.some((w) => w.optional === "observability")) {
      this.observability = new ObservabilityStack(
        "observability",
        {
          namespace: config.namespace,
          instance: INSTANCE,
          publicOrigin,
          grafanaAdminPassword: config.grafanaAdminPassword,
          workloads: args.workloads,
          databaseCredentialsChecksum: credentialsChecksum,
        },
        {
          parent: this,
          // The stack takes the namespace by name, so its objects wait for it here; its database client
          // (the postgres exporter) waits for the migrations that create its role.
          transformations: [
            waitForBeforeCreating([this.namespace]),
            waitForBeforeCreating(databaseReady, (name) => name.endsWith("postgres-exporter")),
          ],
        },
      );
      for (const [workloadName, deployed] of Object.entries(this.observability.workloads)) {
        this.workloads[workloadName] = deployed;
        if (deployed.service) observabilityServices.push(deployed.service);
        imageOf(workloadByName(workloadName, args.workloads));
      }
    }

    if (has("edge-proxy")) {
      const edge = workloadByName("edge-proxy", args.workloads);
      const upstreamServices = edgeUpstreams(args.workloads)
        .map((w) => this.workloads[w.name]?.service)
        .filter((s): s is k8s.core.v1.Service => s !== undefined);
      deploy(edge, {
        ...edgeProxyPod(edge, args.workloads, peers),
        serviceType: "NodePort",
        nodePorts: { http: config.nodePort },
        waitFor: [...upstreamServices, ...observabilityServices],
      });
    }

    // The HPAs read CPU usage from the metrics API, which Kind does not provide by itself.
    if (config.autoscaling) new MetricsServer("metrics-server", { instance: INSTANCE }, child);

    if (config.networkPolicies) {
      const policies = renderNetworkPolicies({
        workloads: args.workloads,
        namespace: config.namespace,
        instance: INSTANCE,
        namespaceOf: (w) => namespaceOfWorkload(w, config.namespace),
        kubernetesApiClients: KUBERNETES_API_CLIENTS,
        extraClients: [
          {
            name: "database-backup",
            podLabels: selectorLabels(backupPodShape(databaseWorkload), INSTANCE),
            calls: ["database"],
          },
        ],
      });
      for (const policy of policies) {
        new k8s.networking.v1.NetworkPolicy(
          `network-policy-${policy.name}`,
          {
            metadata: objectMetadata(policy.name, namespace),
            spec: policy.spec,
          },
          child,
        );
      }
    }

    this.registerOutputs({ namespace, imageRefs: this.imageRefs });
  }

  private databaseBackup(
    database: Workload,
    image: string,
    namespace: pulumi.Output<string>,
    peers: PeerAddresses,
    dependsOn: pulumi.Resource[],
  ): void {
    const claim = new k8s.core.v1.PersistentVolumeClaim(
      "database-backups",
      {
        metadata: {
          ...objectMetadata(BACKUP_VOLUME_CLAIM, namespace),
          // kind's local-path class binds on first use: waiting for Bound would wait for the first backup.
          annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: BACKUP_VOLUME_SIZE } } },
      },
      { parent: this },
    );
    new k8s.batch.v1.CronJob(
      "database-backup",
      {
        metadata: objectMetadata("database-backup", namespace),
        spec: renderBackupCronJobSpec({
          database,
          image,
          instance: INSTANCE,
          peers,
        }),
      },
      { parent: this, dependsOn: [claim, ...dependsOn] },
    );
  }
}

/** Name, namespace and labels of an object that belongs to the system rather than to one workload. */
function objectMetadata(name: string, namespace: pulumi.Output<string>) {
  return {
    name,
    namespace,
    labels: {
      "app.kubernetes.io/part-of": PART_OF,
      "app.kubernetes.io/instance": INSTANCE,
      "app.kubernetes.io/managed-by": "pulumi",
    },
  };
}

/**
 * A transformation that makes the custom resources of a component (optionally only those whose name
 * passes `only`) depend on `resources`. A component's own `dependsOn` does not reach its children.
 */
function waitForBeforeCreating(
  resources: pulumi.Resource[],
  only: (name: string) => boolean = () => true,
): pulumi.ResourceTransformation {
  return (args) => {
    if (!(args.resource instanceof pulumi.CustomResource) || !only(args.name)) return undefined;
    return { props: args.props, opts: pulumi.mergeOptions(args.opts, { dependsOn: resources }) };
  };
}
