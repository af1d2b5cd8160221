/**
 * `tsx scripts/smoke/cli.ts [--base-url URL] [--profile kind|minikube|local] [--observability true|false]
 *   [--kube-context CTX --namespace NS]` — the smoke test. `npm run local:smoke` runs it against the local
 * runtime; scripts/test-state-010-kubernetes-runtime.sh against a cluster. Exits 1 if any check failed.
 */
import { parseArgs } from "node:util";
import { containerPortOf, workloadByName } from "../../components/catalog";
import { parseProfile } from "../lib/profile";
import { runSmoke } from "./checks";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "base-url": { type: "string", default: process.env.TRADERX_BASE_URL ?? "http://localhost:8080" },
      profile: { type: "string", default: "local" },
      observability: { type: "string", default: "true" },
      "kube-context": { type: "string" },
      namespace: { type: "string", default: "traderx" },
    },
  });
  const profile = parseProfile(values.profile!, values.observability!);
  const context = values["kube-context"];
  const outcomes = await runSmoke({
    baseUrl: values["base-url"]!,
    profile,
    kube: context ? { context, namespace: values.namespace! } : undefined,
    // Only the local runtime exposes the broker's monitoring port on this machine.
    natsMonitorUrl:
      profile.kind === "local"
        ? `http://127.0.0.1:${containerPortOf(workloadByName("nats-broker"), "monitor")}`
        : undefined,
  });
  return [...outcomes.values()].some((o) => o.status === "fail") ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`smoke: ${error.message}`);
    process.exit(2);
  },
);
