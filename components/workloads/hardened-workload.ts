/**
 * `HardenedWorkload`: one catalog workload (or a workload-like description) as Kubernetes objects, with the
 * pod hardening of `hardened-pod.ts` applied. The observability stack reuses it for its third-party pods.
 *
 * It creates, by the workload's `kind`:
 * - Deployment: Deployment + ClusterIP/NodePort Service; a PodDisruptionBudget and topology spread when
 *   replicas > 1; an `autoscaling/v2` HPA when `autoscaling` is given (the HPA then owns the replica count).
 * - StatefulSet: StatefulSet (one replica) + Service, with a PVC per `persistentVolume`.
 * - DaemonSet: DaemonSet + Service when it has ports.
 * - Job: a Job (auto-named, so a changed image replaces it and Pulumi waits for it to complete).
 * and, when `configFiles` is given, a ConfigMap `<name>-config` mounted read-only at its `mountPath`, whose
 * content feeds the `checksum/config` annotation so that a config change rolls the pods.
 *
 * Ordering: `waitFor` (and the component's own `dependsOn`, which Pulumi would not pass on to children)
 * become dependencies of the controller, so pods start only after their image load, migrations or
 * config objects exist. Pass the Kubernetes provider once, on the platform component; children inherit it
 * through `parent`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  HardenedPodInput,
  SecretKeyRef,
  Volume,
  VolumeMount,
  WorkloadShape,
  configChecksum,
  persistentVolumeClaim,
  renderDaemonSetSpec,
  renderDeploymentSpec,
  renderJobSpec,
  renderPodTemplate,
  renderServicePorts,
  renderStatefulSetSpec,
  selectorLabels,
  stableLabels,
  workloadLabels,
} from "./hardened-pod";

export interface ConfigFiles {
  /** Folder the ConfigMap is mounted at, read-only. */
  mountPath: string;
  /** File name -> content. */
  files: Record<string, string>;
}

export interface PersistentVolume {
  /** Name of the claim template (and of the volume in the pod). */
  name: string;
  mountPath: string;
  /** e.g. `1Gi`. */
  size: string;
}

export interface Autoscaling {
  minReplicas: number;
  maxReplicas: number;
  /** Target average CPU utilisation, in percent of the request. */
  cpuUtilization: number;
}

export interface HardenedWorkloadArgs {
  workload: WorkloadShape & { kind: NonNullable<WorkloadShape["kind"]>; description?: string };
  namespace: pulumi.Input<string>;
  image: pulumi.Input<string>;
  /** `app.kubernetes.io/instance`. */
  instance: string;
  /** Defaults to 1. Only Deployments run more than one replica. */
  replicas?: number;
  env?: Record<string, string>;
  secretEnv?: Record<string, SecretKeyRef>;
  command?: string[];
  args?: string[];
  /** Run in the container as it starts (an exec postStart hook). */
  postStart?: string[];
  configFiles?: ConfigFiles;
  /** Further volumes and mounts (Secrets, hostPaths of a node agent, shared emptyDirs). */
  volumes?: Volume[];
  volumeMounts?: VolumeMount[];
  /** Content the config checksum also covers, e.g. the hash of a Secret the pod reads. */
  checksumInputs?: pulumi.Input<string>[];
  /** StatefulSet only. */
  persistentVolumes?: PersistentVolume[];
  /** Deployment only. */
  autoscaling?: Autoscaling;
  serviceType?: "ClusterIP" | "NodePort";
  /** Port name -> node port, for a NodePort Service. */
  nodePorts?: Record<string, number>;
  serviceAccountName?: pulumi.Input<string>;
  /**
   * Resources the pods need before they start: the image load into the cluster, the migrations Job, the
   * broker. The controller depends on them explicitly; the Service does not need to wait.
   */
  waitFor?: pulumi.Resource[];
}

export class HardenedWorkload extends pulumi.ComponentResource {
  public readonly service?: k8s.core.v1.Service;
  public readonly controller:
    k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet | k8s.batch.v1.Job;
  public readonly configMap?: k8s.core.v1.ConfigMap;
  public readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  public readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;

  constructor(name: string, args: HardenedWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("traderx:workloads:HardenedWorkload", name, {}, opts);
    const workload = args.workload;
    const replicas = args.replicas ?? 1;
    const kind = workload.kind;
    if (replicas > 1 && kind !== "Deployment") {
      throw new Error(`workload "${workload.name}" is a ${kind}; only Deployments run more than one replica`);
    }
    if (args.autoscaling && kind !== "Deployment") {
      throw new Error(`workload "${workload.name}" is a ${kind}; only Deployments can autoscale`);
    }
    const selector = selectorLabels(workload, args.instance);
    const descriptionAnnotation = workload.description
      ? { annotations: { "traderx.finos.org/description": workload.description } }
      : {};
    const metadata = (image: string, objectName?: string) => ({
      ...(objectName ? { name: objectName } : {}),
      namespace: args.namespace,
      labels: workloadLabels(workload, args.instance, image),
      ...descriptionAnnotation,
    });
    const child = { parent: this };

    const volumes: Volume[] = [...(args.volumes ?? [])];
    const volumeMounts: VolumeMount[] = [...(args.volumeMounts ?? [])];
    const configContent = JSON.stringify(args.configFiles?.files ?? {});
    if (args.configFiles) {
      const configMapName = `${workload.name}-config`;
      this.configMap = new k8s.core.v1.ConfigMap(
        `${name}-config`,
        {
          metadata: { name: configMapName, namespace: args.namespace, labels: selector },
          data: args.configFiles.files,
        },
        child,
      );
      volumes.push({ name: "config", configMap: { name: configMapName } });
      volumeMounts.push({ name: "config", mountPath: args.configFiles.mountPath, readOnly: true });
    }
    for (const pv of args.persistentVolumes ?? [])
      volumeMounts.push({ name: pv.name, mountPath: pv.mountPath });

    const podInput = (image: string, checksum: string): HardenedPodInput => ({
      workload,
      image,
      instance: args.instance,
      env: args.env,
      secretEnv: args.secretEnv,
      command: args.command,
      args: args.args,
      postStart: args.postStart,
      volumes,
      volumeMounts,
      configChecksum: checksum,
      spreadAcrossNodes: replicas > 1 || args.autoscaling !== undefined,
    });
    const checksum = pulumi
      .all(args.checksumInputs ?? [])
      .apply((extra) => configChecksum(configContent, JSON.stringify(args.env ?? {}), ...extra));
    const template = pulumi
      .all([args.image, checksum, args.serviceAccountName])
      .apply(([image, sum, serviceAccountName]) =>
        renderPodTemplate({ ...podInput(image, sum), serviceAccountName }),
      );
    const image = pulumi.output(args.image);

    if (workload.ports.length > 0 && kind !== "Job") {
      this.service = new k8s.core.v1.Service(
        `${name}-service`,
        {
          // No version label: a new image must not touch the Service.
          metadata: {
            name: workload.name,
            namespace: args.namespace,
            labels: stableLabels(workload, args.instance),
            ...descriptionAnnotation,
          },
          spec: {
            type: args.serviceType ?? "ClusterIP",
            selector,
            ports: renderServicePorts(workload, args.nodePorts),
          },
        },
        child,
      );
    }
    const controllerOpts = {
      ...child,
      // The component's own dependsOn would not reach its children; the pods are what must wait.
      dependsOn: [
        this.configMap,
        this.service,
        ...componentDependencies(opts),
        ...(args.waitFor ?? []),
      ].filter(isDefined),
    };

    switch (kind) {
      case "Deployment":
        this.controller = new k8s.apps.v1.Deployment(
          name,
          {
            metadata: image.apply((i) => metadata(i, workload.name)),
            spec: template.apply((t) =>
              renderDeploymentSpec(t, selector, args.autoscaling ? undefined : replicas),
            ),
          },
          controllerOpts,
        );
        break;
      case "StatefulSet":
        this.controller = new k8s.apps.v1.StatefulSet(
          name,
          {
            metadata: image.apply((i) => metadata(i, workload.name)),
            spec: template.apply((t) =>
              renderStatefulSetSpec(
                t,
                selector,
                workload.name,
                (args.persistentVolumes ?? []).map((pv) => persistentVolumeClaim(pv.name, pv.size)),
              ),
            ),
          },
          controllerOpts,
        );
        break;
      case "DaemonSet":
        this.controller = new k8s.apps.v1.DaemonSet(
          name,
          {
            metadata: image.apply((i) => metadata(i, workload.name)),
            spec: template.apply((t) => renderDaemonSetSpec(t, selector)),
          },
          controllerOpts,
        );
        break;
      case "Job":
        // No fixed name: a changed image replaces the Job by creating a new one first.
        this.controller = new k8s.batch.v1.Job(
          name,
          { metadata: image.apply((i) => metadata(i)), spec: template.apply((t) => renderJobSpec(t)) },
          controllerOpts,
        );
        break;
    }

    if (kind === "Deployment" && (replicas > 1 || args.autoscaling)) {
      this.podDisruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
          metadata: { name: workload.name, namespace: args.namespace, labels: selector },
          spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        },
        child,
      );
    }
    if (kind === "Deployment" && args.autoscaling) {
      const scaling = args.autoscaling;
      this.autoscaler = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata: { name: workload.name, namespace: args.namespace, labels: selector },
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: workload.name },
            minReplicas: scaling.minReplicas,
            maxReplicas: scaling.maxReplicas,
            metrics: [
              {
                type: "Resource",
                resource: {
                  name: "cpu",
                  target: { type: "Utilization", averageUtilization: scaling.cpuUtilization },
                },
              },
            ],
          },
        },
        { ...child, dependsOn: [this.controller] },
      );
    }

    this.registerOutputs({
      service: this.service,
      controller: this.controller,
      configMap: this.configMap,
      podDisruptionBudget: this.podDisruptionBudget,
      autoscaler: this.autoscaler,
    });
  }
}

/** The resources in a component's `dependsOn`, given as one resource or a list of them. */
function componentDependencies(opts: pulumi.ComponentResourceOptions | undefined): pulumi.Resource[] {
  const dependsOn = opts?.dependsOn;
  if (dependsOn === undefined) return [];
  const list = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
  return list.map((item) => {
    if (!pulumi.Resource.isInstance(item)) {
      throw new Error("HardenedWorkload: dependsOn must list resources, not outputs or promises of them");
    }
    return item;
  });
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
