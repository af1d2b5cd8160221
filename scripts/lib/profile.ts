/**
 * Which workloads a running TraderX has. Every check that adapts to the profile (the readiness gate, the
 * smoke test, the status table) asks this module, so a profile without observability is handled once.
 */
import { Workload, catalog, selectWorkloads } from "../../components/catalog";
import { localWorkloads } from "../local-runtime/plan";

export type RuntimeProfile =
  /** A cluster built by the Pulumi `dev` stack; the observability stack follows `traderx:observability`. */
  | { kind: "kind" | "minikube"; observability: boolean }
  /** The local runtime: everything that has a local build (no Grafana, Loki, Tempo or collector). */
  | { kind: "local" };

export function parseProfile(name: string, observability = "true"): RuntimeProfile {
  if (name === "local") return { kind: "local" };
  if (name !== "kind" && name !== "minikube") {
    throw new Error(`unknown profile "${name}"; use kind, minikube or local`);
  }
  if (observability !== "true" && observability !== "false") {
    throw new Error(`--observability must be true or false, not "${observability}"`);
  }
  return { kind: name, observability: observability === "true" };
}

export function runningWorkloads(profile: RuntimeProfile): Workload[] {
  if (profile.kind === "local") return localWorkloads(catalog);
  return selectWorkloads({ observability: profile.observability });
}

/** Whether the profile runs a workload; checks that need an absent one are skipped, and say so. */
export function profileHas(profile: RuntimeProfile, workload: string): boolean {
  return runningWorkloads(profile).some((w) => w.name === workload);
}
