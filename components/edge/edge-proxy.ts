/** The edge proxy's pod inputs: its rendered nginx.conf and how nginx is started on it. */
import { PeerAddresses, Workload, containerPortOf } from "../catalog";
import { ConfigFiles } from "../workloads/hardened-workload";
import { renderEdgeNginxConf } from "./nginx-config";

export const EDGE_CONFIG_DIR = "/etc/edge-proxy";

export function edgeProxyPod(
  edge: Workload,
  workloads: readonly Workload[],
  peers: PeerAddresses,
): { configFiles: ConfigFiles; command: string[] } {
  const conf = renderEdgeNginxConf({
    workloads,
    peers,
    listenPort: containerPortOf(edge, "http"),
    // The root filesystem is read-only; /tmp is the pod's emptyDir.
    runtimeDir: "/tmp",
  });
  return {
    configFiles: { mountPath: EDGE_CONFIG_DIR, files: { "nginx.conf": conf } },
    // Bypasses the image entrypoint, whose scripts try to rewrite files under /etc/nginx.
    command: ["nginx", "-e", "stderr", "-c", `${EDGE_CONFIG_DIR}/nginx.conf`],
  };
}
