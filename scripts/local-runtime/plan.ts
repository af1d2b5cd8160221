/**
 * What the local runtime can run, derived from the catalog. Every built workload runs as a Node.js
 * process; a pinned third-party workload runs only if this machine has a local stand-in for its image
 * (PostgreSQL, nats-server, nginx, Prometheus, the blackbox exporter). The others (Grafana, Loki, Tempo,
 * the collector, promtail) have no local build: the local edge answers their routes with a 503.
 */
import { Workload } from "../../components/catalog";

/** How a workload is started on this machine. */
export type LocalRecipe = "node-service" | "postgres" | "nats" | "nginx" | "prometheus" | "blackbox";

/** The local stand-in for each pinned image, by workload name. */
const PINNED_RECIPES: Readonly<Record<string, LocalRecipe>> = {
  database: "postgres",
  "nats-broker": "nats",
  "edge-proxy": "nginx",
  prometheus: "prometheus",
  "blackbox-exporter": "blackbox",
};

export function localRecipeOf(workload: Workload): LocalRecipe | undefined {
  if (workload.image.kind === "built") return "node-service";
  return PINNED_RECIPES[workload.name];
}

/** The workloads the local runtime runs, in catalog (rollout) order. */
export function localWorkloads(source: readonly Workload[]): Workload[] {
  return source.filter((w) => localRecipeOf(w) !== undefined);
}

/** Catalog workloads with no local build; their edge routes answer 503 locally. */
export function workloadsWithoutLocalBuild(source: readonly Workload[]): Workload[] {
  return source.filter((w) => localRecipeOf(w) === undefined);
}
