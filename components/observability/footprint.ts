/**
 * Resource footprint of a workload selection, summed from the catalog's requests and limits: what a
 * laptop must reserve (requests) and what the pods may burst to (limits). Long-running pods only: a
 * run-to-completion Job holds its resources for seconds. A DaemonSet counts once per node.
 */
import { Workload } from "../catalog";

export interface Footprint {
  /** CPU in millicores. */
  cpuMillis: { requests: number; limits: number };
  /** Memory in MiB. */
  memoryMiB: { requests: number; limits: number };
  pods: number;
}

/** `250m` or `1` (cores) in millicores. */
export function cpuMillis(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (!match) throw new Error(`unsupported CPU quantity "${quantity}" (use e.g. 250m or 1)`);
  return match[2] === "m" ? Number(match[1]) : Number(match[1]) * 1000;
}

/** `96Mi` or `1Gi` in MiB. */
export function memoryMiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unsupported memory quantity "${quantity}" (use e.g. 96Mi or 1Gi)`);
  return match[2] === "Gi" ? Number(match[1]) * 1024 : Number(match[1]);
}

export function footprintOf(workloads: readonly Workload[], replicas = 1, nodes = 1): Footprint {
  const total: Footprint = {
    cpuMillis: { requests: 0, limits: 0 },
    memoryMiB: { requests: 0, limits: 0 },
    pods: 0,
  };
  for (const w of workloads) {
    if (w.kind === "Job") continue;
    const pods = w.kind === "DaemonSet" ? nodes : w.kind === "StatefulSet" ? 1 : replicas;
    total.pods += pods;
    total.cpuMillis.requests += pods * cpuMillis(w.resources.requests.cpu);
    total.cpuMillis.limits += pods * cpuMillis(w.resources.limits.cpu);
    total.memoryMiB.requests += pods * memoryMiB(w.resources.requests.memory);
    total.memoryMiB.limits += pods * memoryMiB(w.resources.limits.memory);
  }
  return total;
}
