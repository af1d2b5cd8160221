/**
 * NetworkPolicies generated from the catalog: default deny in the namespace, DNS for every pod, and for
 * each workload exactly the traffic its `calls` (and the edge's routes) need, in both directions.
 * Ports are the pods' container ports, which is what a NetworkPolicy matches after Service translation.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { Workload, containerPortOf, edgeUpstreams } from "../catalog";
import { selectorLabels } from "../workloads/hardened-pod";

export type NetworkPolicySpec = Unwrap<k8s.types.input.networking.v1.NetworkPolicySpec>;
type Peer = Unwrap<k8s.types.input.networking.v1.NetworkPolicyPeer>;
type Port = Unwrap<k8s.types.input.networking.v1.NetworkPolicyPort>;
type IngressRule = Unwrap<k8s.types.input.networking.v1.NetworkPolicyIngressRule>;
type EgressRule = Unwrap<k8s.types.input.networking.v1.NetworkPolicyEgressRule>;

export interface NamedNetworkPolicy {
  name: string;
  spec: NetworkPolicySpec;
}

/** A pod that is not a catalog workload but opens connections to some (the backup CronJob). */
export interface ExtraClient {
  name: string;
  podLabels: Record<string, string>;
  calls: string[];
}

export interface NetworkPolicyInput {
  /** Every deployed workload, in any namespace; policies are made for those in `namespace`. */
  workloads: readonly Workload[];
  namespace: string;
  instance: string;
  /** Namespace of a workload; defaults to `namespace`. */
  namespaceOf?: (workload: Workload) => string;
  extraClients?: ExtraClient[];
  /**
   * Workloads that talk to the Kubernetes API. Its address is the control-plane node's (kind: port 6443
   * behind the `kubernetes` Service's 443), not a pod, so the rule names ports only.
   */
  kubernetesApiClients?: string[];
}

const KUBERNETES_API_PORTS: Port[] = [
  { protocol: "TCP", port: 443 },
  { protocol: "TCP", port: 6443 },
];

const EDGE = "edge-proxy";

function tcpPorts(workload: Workload, portNames?: string[]): Port[] {
  const names = portNames ?? workload.ports.map((p) => p.name);
  return [...new Set(names)].map((name) => ({ protocol: "TCP", port: containerPortOf(workload, name) }));
}

export function renderNetworkPolicies(input: NetworkPolicyInput): NamedNetworkPolicy[] {
  const namespaceOf = input.namespaceOf ?? (() => input.namespace);
  const byName = new Map(input.workloads.map((w) => [w.name, w]));
  const peerOf = (workload: Workload): Peer => ({
    podSelector: { matchLabels: selectorLabels(workload, input.instance) },
    ...(namespaceOf(workload) !== input.namespace
      ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespaceOf(workload) } } }
      : {}),
  });

  interface Edge {
    from: Peer;
    fromName: string;
    to: Workload;
    ports: Port[];
  }
  const edges: Edge[] = [];
  const callers: { name: string; peer: Peer; workload?: Workload; calls: string[] }[] = [
    ...input.workloads.map((w) => ({ name: w.name, peer: peerOf(w), workload: w, calls: w.calls })),
    ...(input.extraClients ?? []).map((c) => ({
      name: c.name,
      peer: { podSelector: { matchLabels: c.podLabels } },
      calls: c.calls,
    })),
  ];
  for (const caller of callers) {
    for (const calleeName of caller.calls) {
      const callee = byName.get(calleeName);
      // A call to an optional workload that is not deployed needs no rule.
      if (callee)
        edges.push({ from: caller.peer, fromName: caller.name, to: callee, ports: tcpPorts(callee) });
    }
  }
  const edge = byName.get(EDGE);
  if (edge) {
    for (const upstream of edgeUpstreams(input.workloads)) {
      const ports = tcpPorts(
        upstream,
        upstream.edgeRoutes.map((r) => r.port),
      );
      edges.push({ from: peerOf(edge), fromName: EDGE, to: upstream, ports });
    }
  }

  const policies: NamedNetworkPolicy[] = [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      name: "allow-dns",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
  ];

  const localClients = [
    ...input.workloads.filter((w) => namespaceOf(w) === input.namespace).map((w) => w.name),
    ...(input.extraClients ?? []).map((c) => c.name),
  ];
  for (const name of localClients) {
    const workload = byName.get(name);
    const podLabels = workload
      ? selectorLabels(workload, input.instance)
      : input.extraClients!.find((c) => c.name === name)!.podLabels;
    const ingress: IngressRule[] = edges
      .filter((e) => e.to.name === name)
      .map((e) => ({ from: [e.from], ports: e.ports }));
    if (name === EDGE && workload) {
      // The browser entrypoint: NodePort traffic arrives from the node, whatever its source address.
      ingress.push({ ports: tcpPorts(workload) });
    }
    const egress: EgressRule[] = edges
      .filter((e) => e.fromName === name)
      .map((e) => ({ to: [peerOf(e.to)], ports: e.ports }));
    if (input.kubernetesApiClients?.includes(name)) egress.push({ ports: KUBERNETES_API_PORTS });
    if (ingress.length === 0 && egress.length === 0) continue;
    policies.push({
      name: `${name}-traffic`,
      spec: {
        podSelector: { matchLabels: podLabels },
        policyTypes: [...(ingress.length > 0 ? ["Ingress"] : []), ...(egress.length > 0 ? ["Egress"] : [])],
        ...(ingress.length > 0 ? { ingress } : {}),
        ...(egress.length > 0 ? { egress } : {}),
      },
    });
  }
  return policies;
}
