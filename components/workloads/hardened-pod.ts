/**
 * Hardened pod and controller specs, rendered from a catalog workload. Pure functions: no Pulumi here, so
 * tests, the observability stack and any other component call them directly.
 *
 * Exported API (the observability stack reuses it for Prometheus, Grafana, Loki, Tempo, the collectors and
 * the exporters, so every third-party pod gets the same hardening):
 * - `renderPodTemplate(input)`: pod template with every rule of design principle 3 applied: readiness and
 *   liveness probes (startup when the workload declares one; none for run-to-completion Jobs), requests
 *   and limits, non-root uid, no privilege escalation, read-only root filesystem with an emptyDir on /tmp,
 *   all capabilities dropped, the RuntimeDefault seccomp profile, a preStop drain inside the grace period,
 *   `app.kubernetes.io/*` labels and the `checksum/config` annotation. Extra volumes and mounts, command,
 *   args, env (plain and from Secrets) and a service account are passed in `HardenedPodInput`.
 * - `renderDeploymentSpec`, `renderStatefulSetSpec`, `renderDaemonSetSpec`, `renderJobSpec`: the controller
 *   spec around a pod template (rolling updates with maxUnavailable 0 / maxSurge 1, topology spread when
 *   replicas > 1, no `replicas` when an HPA owns the count).
 * - `workloadLabels`, `stableLabels` (no version, for Services), `selectorLabels`, `configChecksum`,
 *   `imageVersionLabel`, `PRESTOP_DRAIN_SECONDS`.
 *
 * A `WorkloadShape` is the part of a catalog `Workload` these functions read, so a pod that is not in the
 * catalog (a backup CronJob) can be described the same way.
 */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { ProbeCheck, ProbeTiming, Workload } from "../catalog";

/** Plain (resolved) Kubernetes shapes: what the renderers return and tests read. */
export type Volume = Unwrap<k8s.types.input.core.v1.Volume>;
export type VolumeMount = Unwrap<k8s.types.input.core.v1.VolumeMount>;
export type Probe = Unwrap<k8s.types.input.core.v1.Probe>;
export type EnvVar = Unwrap<k8s.types.input.core.v1.EnvVar>;
export type Container = Unwrap<k8s.types.input.core.v1.Container>;
export type PodTemplateSpec = Unwrap<k8s.types.input.core.v1.PodTemplateSpec>;
export type PersistentVolumeClaim = Unwrap<k8s.types.input.core.v1.PersistentVolumeClaim>;
export type ServicePort = Unwrap<k8s.types.input.core.v1.ServicePort>;
export type DeploymentSpec = Unwrap<k8s.types.input.apps.v1.DeploymentSpec>;
export type StatefulSetSpec = Unwrap<k8s.types.input.apps.v1.StatefulSetSpec>;
export type DaemonSetSpec = Unwrap<k8s.types.input.apps.v1.DaemonSetSpec>;
export type JobSpec = Unwrap<k8s.types.input.batch.v1.JobSpec>;

/** What the renderers read from a workload. Every catalog `Workload` is one. */
export type WorkloadShape = Pick<
  Workload,
  "name" | "tier" | "ports" | "probes" | "resources" | "runAsUser" | "terminationGracePeriodSeconds"
> &
  Partial<Pick<Workload, "kind" | "nodeLogs">>;

/** Seconds the preStop hook waits, so endpoints drop the pod before the process gets SIGTERM. */
export const PRESTOP_DRAIN_SECONDS = 5;
export const CONFIG_CHECKSUM_ANNOTATION = "checksum/config";
export const PART_OF = "traderx";
const TMP_VOLUME = "tmp";

/** A Secret key that becomes an environment variable. */
export interface SecretKeyRef {
  secretName: string;
  key: string;
}

export interface HardenedPodInput {
  workload: WorkloadShape;
  /** Full image reference, including its tag. */
  image: string;
  /** `app.kubernetes.io/instance`: the stack's deployment of the system, e.g. `traderx`. */
  instance: string;
  /** Plain environment, in order (later entries may reference earlier ones as `$(NAME)`). */
  env?: Record<string, string>;
  /** Environment from Secrets; placed before `env` so that `env` may reference it. */
  secretEnv?: Record<string, SecretKeyRef>;
  command?: string[];
  args?: string[];
  /** Run in the container as it starts (an exec postStart hook); probes begin once it has exited. */
  postStart?: string[];
  volumes?: Volume[];
  volumeMounts?: VolumeMount[];
  /** Checksum of every config the pod reads (see `configChecksum`); a change rolls the pods. */
  configChecksum?: string;
  /** Only for pods that call the Kubernetes API (Prometheus discovery); others get no token. */
  serviceAccountName?: string;
  /** When true, pods of the workload spread across nodes (replicas > 1). */
  spreadAcrossNodes?: boolean;
  /** Group that owns mounted volumes (PVCs); defaults to the workload's uid. */
  fsGroup?: number;
}

/** sha256 over every part, in order; the value of the `checksum/config` annotation. */
export function configChecksum(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest("hex");
}

/** The tag of an image reference as a label value (at most 63 characters of `[A-Za-z0-9._-]`). */
export function imageVersionLabel(image: string): string {
  const withoutDigest = image.split("@")[0];
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  const tag = colon >= 0 ? withoutDigest.slice(colon + 1) : "latest";
  return tag
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** Labels that identify a workload's pods; immutable on a controller, so no version here. */
export function selectorLabels(workload: Pick<Workload, "name">, instance: string): Record<string, string> {
  return { "app.kubernetes.io/name": workload.name, "app.kubernetes.io/instance": instance };
}

/** Labels that do not change with the image: for objects that outlive a version, such as Services. */
export function stableLabels(
  workload: Pick<Workload, "name" | "tier">,
  instance: string,
): Record<string, string> {
  return {
    ...selectorLabels(workload, instance),
    "app.kubernetes.io/component": workload.tier,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** Labels of a controller and its pods: the stable ones plus the image's version. */
export function workloadLabels(
  workload: Pick<Workload, "name" | "tier">,
  instance: string,
  image: string,
): Record<string, string> {
  return { ...stableLabels(workload, instance), "app.kubernetes.io/version": imageVersionLabel(image) };
}

export function renderProbe(check: ProbeCheck & ProbeTiming): Probe {
  const timing: ProbeTiming = {
    initialDelaySeconds: check.initialDelaySeconds,
    periodSeconds: check.periodSeconds ?? 10,
    timeoutSeconds: check.timeoutSeconds ?? 3,
    failureThreshold: check.failureThreshold ?? 3,
  };
  const cleanTiming = Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined));
  switch (check.kind) {
    case "http":
      return {
        httpGet: { path: check.path, port: check.port, ...(check.scheme ? { scheme: check.scheme } : {}) },
        ...cleanTiming,
      };
    case "tcp":
      return { tcpSocket: { port: check.port }, ...cleanTiming };
    case "exec":
      return { exec: { command: check.command }, ...cleanTiming };
  }
}

function renderEnv(input: HardenedPodInput): EnvVar[] {
  const fromSecrets = Object.entries(input.secretEnv ?? {}).map(([name, ref]) => ({
    name,
    valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
  }));
  const plain = Object.entries(input.env ?? {}).map(([name, value]) => ({ name, value }));
  return [...fromSecrets, ...plain];
}

function isRunToCompletion(workload: WorkloadShape): boolean {
  return workload.kind === "Job";
}

/** The pod template of a workload, with every hardening rule applied. */
export function renderPodTemplate(input: HardenedPodInput): PodTemplateSpec {
  const { workload } = input;
  if (workload.runAsUser <= 0) {
    throw new Error(
      `workload "${workload.name}": runAsUser must be a non-zero uid (got ${workload.runAsUser})`,
    );
  }
  const runToCompletion = isRunToCompletion(workload);
  if (!runToCompletion && !workload.probes) {
    throw new Error(
      `workload "${workload.name}" runs continuously but declares no readiness/liveness probes`,
    );
  }
  if (!runToCompletion && workload.terminationGracePeriodSeconds <= PRESTOP_DRAIN_SECONDS) {
    throw new Error(
      `workload "${workload.name}": terminationGracePeriodSeconds (${workload.terminationGracePeriodSeconds}) ` +
        `must exceed the ${PRESTOP_DRAIN_SECONDS} s preStop drain`,
    );
  }
  const probes = workload.probes;
  const container: Container = {
    name: workload.name,
    image: input.image,
    imagePullPolicy: "IfNotPresent",
    ...(input.command ? { command: input.command } : {}),
    ...(input.args ? { args: input.args } : {}),
    ports: workload.ports.map((p) => ({
      name: p.name,
      containerPort: p.containerPort ?? p.port,
      protocol: "TCP",
    })),
    env: renderEnv(input),
    resources: { requests: { ...workload.resources.requests }, limits: { ...workload.resources.limits } },
    ...(probes && !runToCompletion
      ? {
          readinessProbe: renderProbe(probes.readiness),
          livenessProbe: renderProbe(probes.liveness),
          ...(probes.startup ? { startupProbe: renderProbe(probes.startup) } : {}),
          lifecycle: {
            ...(input.postStart ? { postStart: { exec: { command: input.postStart } } } : {}),
            preStop: { sleep: { seconds: PRESTOP_DRAIN_SECONDS } },
          },
        }
      : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: workload.runAsUser,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [{ name: TMP_VOLUME, mountPath: "/tmp" }, ...(input.volumeMounts ?? [])],
  };
  const labels = workloadLabels(workload, input.instance, input.image);
  return {
    metadata: {
      labels,
      annotations: { [CONFIG_CHECKSUM_ANNOTATION]: input.configChecksum ?? configChecksum() },
    },
    spec: {
      ...(input.serviceAccountName
        ? { serviceAccountName: input.serviceAccountName, automountServiceAccountToken: true }
        : { automountServiceAccountToken: false }),
      enableServiceLinks: false,
      terminationGracePeriodSeconds: workload.terminationGracePeriodSeconds,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: workload.runAsUser,
        runAsGroup: workload.runAsUser,
        fsGroup: input.fsGroup ?? workload.runAsUser,
        // The kubelet writes container logs as root:root 0640; group 0 lets a node log agent read them
        // while it stays non-root with every capability dropped.
        ...(workload.nodeLogs ? { supplementalGroups: [0] } : {}),
        seccompProfile: { type: "RuntimeDefault" },
      },
      ...(input.spreadAcrossNodes
        ? {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selectorLabels(workload, input.instance) },
              },
            ],
          }
        : {}),
      ...(runToCompletion ? { restartPolicy: "OnFailure" } : {}),
      containers: [container],
      volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: "64Mi" } }, ...(input.volumes ?? [])],
    },
  };
}

const ROLLING_ONE_AT_A_TIME = { maxUnavailable: 0, maxSurge: 1 };

/** Deployment spec; `replicas` undefined means an HPA owns the count. */
export function renderDeploymentSpec(
  template: PodTemplateSpec,
  selector: Record<string, string>,
  replicas: number | undefined,
): DeploymentSpec {
  return {
    ...(replicas === undefined ? {} : { replicas }),
    revisionHistoryLimit: 3,
    selector: { matchLabels: selector },
    strategy: { type: "RollingUpdate", rollingUpdate: ROLLING_ONE_AT_A_TIME },
    template,
  };
}

/**
 * StatefulSet spec. StatefulSets have no surge: a rolling update replaces one pod at a time
 * (maxUnavailable 1 is the only allowed value without the alpha MaxUnavailableStatefulSet gate).
 */
export function renderStatefulSetSpec(
  template: PodTemplateSpec,
  selector: Record<string, string>,
  serviceName: string,
  volumeClaimTemplates: PersistentVolumeClaim[],
): StatefulSetSpec {
  return {
    replicas: 1,
    serviceName,
    revisionHistoryLimit: 3,
    podManagementPolicy: "OrderedReady",
    updateStrategy: { type: "RollingUpdate" },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    selector: { matchLabels: selector },
    template,
    volumeClaimTemplates,
  };
}

/** DaemonSet spec: surge a new pod on the node before the old one goes (maxUnavailable 0 / maxSurge 1). */
export function renderDaemonSetSpec(
  template: PodTemplateSpec,
  selector: Record<string, string>,
): DaemonSetSpec {
  return {
    revisionHistoryLimit: 3,
    selector: { matchLabels: selector },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: ROLLING_ONE_AT_A_TIME },
    template,
  };
}

/** Job spec for a run-to-completion task (migrations, backups). */
export function renderJobSpec(template: PodTemplateSpec): JobSpec {
  return { backoffLimit: 6, activeDeadlineSeconds: 900, template };
}

/** A PVC template for a StatefulSet. */
export function persistentVolumeClaim(name: string, size: string): PersistentVolumeClaim {
  return {
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
  };
}

/** Service ports of a workload, targeting the container ports by name. */
export function renderServicePorts(
  workload: Pick<Workload, "ports">,
  nodePorts: Record<string, number> = {},
): ServicePort[] {
  return workload.ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: p.name,
    protocol: "TCP",
    ...(nodePorts[p.name] !== undefined ? { nodePort: nodePorts[p.name] } : {}),
  }));
}
