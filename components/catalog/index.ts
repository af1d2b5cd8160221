/**
 * The workload catalog and the queries every projection uses. Import from here, never from the
 * individual entry files, so that the observability entries are always included.
 */
import { Workload } from "./types";
import { traderxWorkloads } from "./workloads";

export * from "./types";
export { TICKER_UNIVERSE } from "./workloads";

/** Every workload, in rollout order: data and messaging first, then services, UI and edge. */
export const catalog: readonly Workload[] = [...traderxWorkloads];

export interface CatalogSelection {
  /** Include the optional observability stack (`traderx:observability`). */
  observability: boolean;
}

/** The workloads deployed for a given selection. */
export function selectWorkloads(
  selection: CatalogSelection,
  source: readonly Workload[] = catalog,
): Workload[] {
  return source.filter((w) => w.optional !== "observability" || selection.observability);
}

export function workloadByName(name: string, source: readonly Workload[] = catalog): Workload {
  const found = source.find((w) => w.name === name);
  if (!found) throw new Error(`catalog has no workload named "${name}"`);
  return found;
}

/** Workloads whose image is built from `images/<folder>`. */
export function builtWorkloads(source: readonly Workload[] = catalog): Workload[] {
  return source.filter((w) => w.image.kind === "built");
}

/** Workloads the edge proxies to: every workload with at least one edge route. */
export function edgeUpstreams(source: readonly Workload[] = catalog): Workload[] {
  return source.filter((w) => w.edgeRoutes.length > 0);
}

/** Port of a workload by name; throws with the names it does have when the name is wrong. */
export function portByName(workload: Workload, portName: string): Workload["ports"][number] {
  const port = workload.ports.find((p) => p.name === portName);
  if (!port) {
    const known = workload.ports.map((p) => p.name).join(", ") || "none";
    throw new Error(`workload "${workload.name}" has no port named "${portName}" (ports: ${known})`);
  }
  return port;
}

/** The port the process listens on. */
export function containerPortOf(workload: Workload, portName: string): number {
  const port = portByName(workload, portName);
  return port.containerPort ?? port.port;
}
