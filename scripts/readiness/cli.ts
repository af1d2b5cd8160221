/**
 * `tsx scripts/readiness/cli.ts [--base-url URL] [--profile kind|minikube|local] [--observability true|false] [--once]`
 *
 * Runs the readiness gate against a running TraderX and exits 0 when every target of the profile answered
 * as expected, 1 when the timeout passed first, 2 on a usage error. `--once` probes every target one time
 * and prints the table of codes (the status script's ingress table). The state-010 scripts call it for Kind
 * and minikube; the local runtime and the smoke test call `runReadinessGate` directly.
 */
import { parseArgs } from "node:util";
import { runningWorkloads, parseProfile } from "../lib/profile";
import { gateTimingFromEnv, probeOnce, readinessTargets, renderGateTable, runReadinessGate } from "./gate";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "base-url": { type: "string", default: process.env.TRADERX_BASE_URL ?? "http://localhost:8080" },
      profile: { type: "string", default: "kind" },
      observability: { type: "string", default: "true" },
      once: { type: "boolean", default: false },
    },
  });
  const profile = parseProfile(values.profile!, values.observability!);
  const targets = readinessTargets(runningWorkloads(profile), values["base-url"]!);
  if (values.once) {
    const started = Date.now();
    console.log(renderGateTable(await probeOnce(targets, 5_000), Date.now() - started));
    return 0;
  }
  const result = await runReadinessGate(targets, gateTimingFromEnv());
  return result.ready ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`readiness gate: ${error.message}`);
    process.exit(2);
  },
);
