/**
 * Peer address resolvers. In the cluster a peer is its Service name on the Service port; in the local
 * runtime every process listens on loopback on its container port. Both are built the same way so that
 * env renderers and the edge config see one interface.
 */
import { containerPortOf, portByName } from "./index";
import { PeerAddresses, Workload } from "./types";

interface PeerAddressRules {
  /** The workloads that exist in this runtime; anything else is reported as missing. */
  workloads: readonly Workload[];
  publicOrigin: string;
  host(workload: Workload): string;
  port(workload: Workload, portName: string): number;
}

function peerAddresses(rules: PeerAddressRules): PeerAddresses {
  const find = (name: string): Workload => {
    const found = rules.workloads.find((w) => w.name === name);
    if (!found) {
      throw new Error(
        `peer "${name}" is not deployed in this runtime (deployed: ${rules.workloads.map((w) => w.name).join(", ")})`,
      );
    }
    return found;
  };
  const host = (name: string) => rules.host(find(name));
  const port = (name: string, portName: string) => rules.port(find(name), portName);
  return {
    host,
    port,
    url: (name, portName) => `http://${host(name)}:${port(name, portName)}`,
    has: (name) => rules.workloads.some((w) => w.name === name),
    publicOrigin: rules.publicOrigin,
  };
}

/** Peers inside the cluster: the Service named after the workload, on the Service port. */
export function clusterPeerAddresses(workloads: readonly Workload[], publicOrigin: string): PeerAddresses {
  return peerAddresses({
    workloads,
    publicOrigin,
    host: (w) => w.name,
    port: (w, portName) => portByName(w, portName).port,
  });
}

/** Peers on one machine: loopback, on the port each process listens on. */
export function loopbackPeerAddresses(workloads: readonly Workload[], publicOrigin: string): PeerAddresses {
  return peerAddresses({
    workloads,
    publicOrigin,
    host: () => "127.0.0.1",
    port: (w, portName) => containerPortOf(w, portName),
  });
}
