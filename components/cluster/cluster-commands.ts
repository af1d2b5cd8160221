/**
 * The shell commands that create, describe, load images into and delete the local cluster, per profile.
 * Values reach the scripts through environment variables, never by splicing them into the script text.
 * Each create script is idempotent and prints the identity of the cluster's node container, which changes
 * whenever the cluster is recreated and so re-triggers image loads.
 */
import type { Profile } from "../config/platform-config";

export type LocalProfile = Exclude<Profile, "aws-ec2-k8s">;

export interface ClusterCommands {
  /** Creates the cluster unless it exists; prints the node container id. Needs `clusterEnv`. */
  create: string;
  /** Deletes the cluster; succeeds when it is already gone. */
  delete: string;
  /** Prints a kubeconfig for the cluster. */
  kubeconfig: string;
  /** Loads the local image named by `$IMAGE` into the cluster's node. */
  loadImage: string;
}

const STRICT = "set -euo pipefail\n";

const KIND: ClusterCommands = {
  create:
    STRICT +
    `if ! kind get clusters 2>/dev/null | grep -qx -- "$CLUSTER_NAME"; then
  config="$(mktemp)"
  trap 'rm -f "$config"' EXIT
  printf '%s' "$KIND_CONFIG" > "$config"
  kind create cluster --name "$CLUSTER_NAME" --config "$config" --wait 180s >&2
fi
docker inspect --format '{{.Id}}' "$CLUSTER_NAME-control-plane"
`,
  delete: STRICT + 'kind delete cluster --name "$CLUSTER_NAME"\n',
  kubeconfig: STRICT + 'kind get kubeconfig --name "$CLUSTER_NAME"\n',
  loadImage: STRICT + 'kind load docker-image --name "$CLUSTER_NAME" "$IMAGE"\n',
};

const MINIKUBE: ClusterCommands = {
  create:
    STRICT +
    `if ! minikube status --profile "$CLUSTER_NAME" >/dev/null 2>&1; then
  minikube start --profile "$CLUSTER_NAME" --driver=docker --kubernetes-version="$KUBERNETES_VERSION" \\
    --ports="127.0.0.1:$HOST_PORT:$NODE_PORT" --wait=all >&2
fi
docker inspect --format '{{.Id}}' "$CLUSTER_NAME"
`,
  delete: STRICT + 'minikube delete --profile "$CLUSTER_NAME"\n',
  kubeconfig: STRICT + 'kubectl config view --raw --minify --flatten --context "$CLUSTER_NAME"\n',
  loadImage: STRICT + 'minikube image load --profile "$CLUSTER_NAME" "$IMAGE"\n',
};

export function clusterCommands(profile: LocalProfile): ClusterCommands {
  return profile === "kind" ? KIND : MINIKUBE;
}

export interface ClusterEnvInput {
  clusterName: string;
  hostPort: number;
  nodePort: number;
  /** The rendered kind config (kind only). */
  kindConfig: string;
  /** e.g. `v1.37.0`, taken from the kind node image so both profiles run the same Kubernetes. */
  kubernetesVersion: string;
}

/** The environment the create/delete/kubeconfig scripts read. */
export function clusterEnv(profile: LocalProfile, input: ClusterEnvInput): Record<string, string> {
  const common = { CLUSTER_NAME: input.clusterName };
  return profile === "kind"
    ? { ...common, KIND_CONFIG: input.kindConfig }
    : {
        ...common,
        HOST_PORT: String(input.hostPort),
        NODE_PORT: String(input.nodePort),
        KUBERNETES_VERSION: input.kubernetesVersion,
      };
}

/** `v1.37.0` from `kindest/node:v1.37.0@sha256:…`. */
export function kubernetesVersionOf(nodeImage: string): string {
  const match = /:(v\d+\.\d+\.\d+)/.exec(nodeImage);
  if (!match) throw new Error(`cannot read a Kubernetes version from the node image "${nodeImage}"`);
  return match[1];
}
