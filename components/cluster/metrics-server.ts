/**
 * `MetricsServer`: the resource metrics API (`metrics.k8s.io`) that CPU-based HPAs read. Kind ships none,
 * so the platform installs it with the autoscaling overlay. The pod is built like every other one
 * (`HardenedWorkload`); RBAC and the APIService registration follow the upstream manifest of v0.8.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HardenedWorkload, HardenedWorkloadArgs } from "../workloads/hardened-workload";

export const METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.1";
const NAMESPACE = "kube-system";
const NAME = "metrics-server";

/** The metrics server as a workload description, so it gets the same hardening. */
export const metricsServerWorkload: HardenedWorkloadArgs["workload"] = {
  name: NAME,
  tier: "cluster",
  description: "Resource metrics API for the HPAs of the autoscaling overlay.",
  kind: "Deployment",
  ports: [{ name: "https", port: 443, containerPort: 10250 }],
  probes: {
    readiness: { kind: "http", scheme: "HTTPS", path: "/readyz", port: "https", periodSeconds: 10 },
    liveness: { kind: "http", scheme: "HTTPS", path: "/livez", port: "https", periodSeconds: 10 },
  },
  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "192Mi" } },
  runAsUser: 1000,
  terminationGracePeriodSeconds: 30,
};

export function metricsServerArgs(): string[] {
  return [
    // Serving certificates are generated at start; /tmp is the pod's writable emptyDir.
    "--cert-dir=/tmp",
    "--secure-port=10250",
    "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
    "--kubelet-use-node-status-port",
    "--metric-resolution=15s",
    // Kind's kubelets serve self-signed certificates.
    "--kubelet-insecure-tls",
  ];
}

export interface MetricsServerArgs {
  instance: string;
}

export class MetricsServer extends pulumi.ComponentResource {
  public readonly workload: HardenedWorkload;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("traderx:cluster:MetricsServer", name, {}, opts);
    const child = { parent: this };
    const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": args.instance };
    const subject = [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }];

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-account`,
      { metadata: { name: NAME, namespace: NAMESPACE, labels } },
      child,
    );
    const rbac: pulumi.Resource[] = [
      new k8s.rbac.v1.ClusterRole(
        `${name}-aggregated-reader`,
        {
          metadata: {
            name: "system:aggregated-metrics-reader",
            labels: {
              ...labels,
              "rbac.authorization.k8s.io/aggregate-to-admin": "true",
              "rbac.authorization.k8s.io/aggregate-to-edit": "true",
              "rbac.authorization.k8s.io/aggregate-to-view": "true",
            },
          },
          rules: [
            { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
          ],
        },
        child,
      ),
      new k8s.rbac.v1.ClusterRole(
        `${name}-role`,
        {
          metadata: { name: "system:metrics-server", labels },
          rules: [
            { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
            { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
          ],
        },
        child,
      ),
      new k8s.rbac.v1.RoleBinding(
        `${name}-auth-reader`,
        {
          metadata: { name: "metrics-server-auth-reader", namespace: NAMESPACE, labels },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Role",
            name: "extension-apiserver-authentication-reader",
          },
          subjects: subject,
        },
        child,
      ),
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-auth-delegator`,
        {
          metadata: { name: "metrics-server:system:auth-delegator", labels },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "system:auth-delegator",
          },
          subjects: subject,
        },
        child,
      ),
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-binding`,
        {
          metadata: { name: "system:metrics-server", labels },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "system:metrics-server",
          },
          subjects: subject,
        },
        child,
      ),
    ];

    this.workload = new HardenedWorkload(
      NAME,
      {
        workload: metricsServerWorkload,
        namespace: NAMESPACE,
        image: METRICS_SERVER_IMAGE,
        instance: args.instance,
        args: metricsServerArgs(),
        serviceAccountName: NAME,
        waitFor: [serviceAccount, ...rbac],
      },
      child,
    );

    new k8s.apiregistration.v1.APIService(
      `${name}-api`,
      {
        metadata: { name: "v1beta1.metrics.k8s.io", labels },
        spec: {
          group: "metrics.k8s.io",
          version: "v1beta1",
          service: { name: NAME, namespace: NAMESPACE },
          // The server's certificate is self-signed at start (upstream does the same).
          insecureSkipTLSVerify: true,
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      },
      { ...child, dependsOn: [this.workload] },
    );

    this.registerOutputs({ workload: this.workload });
  }
}
