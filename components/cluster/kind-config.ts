/** The kind cluster config, rendered from the stack config (kind.x-k8s.io/v1alpha4). */
import { stringify } from "yaml";

export interface KindConfigInput {
  clusterName: string;
  /** A `kindest/node` image pinned by digest. */
  nodeImage: string;
  /** Host port of the browser entrypoint. */
  hostPort: number;
  /** NodePort of the edge Service, published on the host as `hostPort`. */
  nodePort: number;
}

export function renderKindConfig(input: KindConfigInput): string {
  return stringify({
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name: input.clusterName,
    nodes: [
      {
        role: "control-plane",
        image: input.nodeImage,
        extraPortMappings: [
          // Loopback only: the entrypoint is for this machine's browser, not the network.
          {
            containerPort: input.nodePort,
            hostPort: input.hostPort,
            listenAddress: "127.0.0.1",
            protocol: "TCP",
          },
        ],
      },
    ],
  });
}
