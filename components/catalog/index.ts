/**
 * The workload catalog and the queries every projection uses. Import from here, never from the
 * individual entry files, so that the observability entries are always included.
 */
import { Workload } from "./types";
import { observabilityWorkloads } from "./observability";
import { traderxWorkloads } from "./workloads";

export * from "./types";
export { TICKER_UNIVERSE } from "./workloads";
export * from "./database";

/** Every workload, in rollout order: data and messaging first, then services, UI and edge. */
export const catalog: readonly Workload[] = [...traderxWorkloads, ...observabilityWorkloads];

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

/**
 * How a built image is built. Every Node.js image shares `images/Dockerfile`, parameterised by the
 * `SERVICE` build arg (the folder under images/); its base comes from the `BASE_IMAGE` arg so that tests
 * can swap in a local stand-in. The context is `images/`, because every service needs the shared library.
 */
export interface ImageBuild {
  /** Build context, relative to the repository root. */
  context: string;
  /** Dockerfile, relative to the repository root. */
  dockerfile: string;
  args: Record<string, string>;
  /**
   * Paths under the context whose content decides the image: the service folder plus the shared files.
   * The image tag is a hash of exactly these, so changing one service changes only its tag.
   */
  inputs: string[];
}

export const IMAGES_DIR = "images";
export const BASE_IMAGE_ARG = "BASE_IMAGE";
/** Files and folders under images/ that every built image depends on. */
export const SHARED_IMAGE_INPUTS = [
  "Dockerfile",
  ".dockerignore",
  "package.json",
  "package-lock.json",
  "tsconfig.base.json",
  "service-lib",
];

export function imageBuildOf(workload: Workload): ImageBuild {
  if (workload.image.kind !== "built") {
    throw new Error(
      `workload "${workload.name}" uses the pinned image ${workload.image.ref}; nothing to build`,
    );
  }
  return {
    context: IMAGES_DIR,
    dockerfile: `${IMAGES_DIR}/Dockerfile`,
    args: { SERVICE: workload.image.folder },
    inputs: [workload.image.folder, ...SHARED_IMAGE_INPUTS],
  };
}

export { clusterPeerAddresses, loopbackPeerAddresses } from "./peers";
