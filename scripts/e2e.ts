/**
 * `npm run test:e2e`: the whole system on this machine, checked end to end, then torn down.
 *   local runtime up -> readiness gate -> smoke test -> fault tests -> browser tests (when the UI has them)
 * Everything is torn down at the end, whatever failed. TRADERX_LOCAL_MODE=containers runs the built
 * images instead of host processes. Runs in a fresh folder (`.local-runtime/e2e`,
 * `TRADERX_LOCAL_DIR` moves it), so earlier runs leave no data behind. Exits 1 if any stage failed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { catalog, containerPortOf, workloadByName } from "../components/catalog";
import { gateTimingFromEnv } from "./readiness/gate";
import { runSmoke } from "./smoke/checks";
import { CRASH_VICTIMS, crashDuringBurst, describeCrash } from "./fault/crash-recovery";
import { describeRolling, rollingRestart } from "./fault/rolling-restart";
import { badInputThroughEdge, describeBadInput } from "./fault/bad-input";
import { launcherChoiceFromEnv } from "./local-runtime/container-launcher";
import { REPO_ROOT, localSettings } from "./local-runtime/layout";
import { LocalRuntime, tailOf } from "./local-runtime/runtime";

type Stage = { name: string; run(runtime: LocalRuntime): Promise<boolean> };

const stages: Stage[] = [
  {
    name: "readiness gate",
    run: (runtime) => runtime.gate(gateTimingFromEnv()),
  },
  {
    name: "smoke test",
    async run(runtime) {
      const outcomes = await runSmoke({
        baseUrl: runtime.baseUrl,
        profile: { kind: "local" },
        natsMonitorUrl: `http://127.0.0.1:${containerPortOf(workloadByName("nats-broker"), "monitor")}`,
      });
      return [...outcomes.values()].every((o) => o.status !== "fail");
    },
  },
  {
    name: "fault: SIGKILL during a trade burst",
    async run(runtime) {
      let ok = true;
      for (const victim of CRASH_VICTIMS) {
        const report = await crashDuringBurst(runtime, victim);
        console.log(describeCrash(report));
        if (report.lost.length > 0) console.log(`  lost quantities: ${report.lost.join(", ")}`);
        if (report.duplicated.length > 0)
          console.log(`  duplicated quantities: ${report.duplicated.join(", ")}`);
        for (const name of report.exited) {
          const log = runtime.record(name)?.logFile;
          if (log)
            console.log(
              `--- ${name} exited; last lines of ${log}\n${tailOf(log, 60)
                .split("\n")
                .filter((line) => !/^\s+at /.test(line))
                .slice(-20)
                .join("\n")}\n---`,
            );
        }
        ok &&= report.accepted > 0 && report.lost.length === 0 && report.duplicated.length === 0;
        ok &&= report.exited.length === 0;
      }
      return ok;
    },
  },
  {
    name: "fault: SIGTERM every service under load",
    async run(runtime) {
      let ok = true;
      const services = runtime.system.components.filter(
        (c) => c.recipe === "node-service" && c.workload.kind === "Deployment",
      );
      for (const service of services) {
        const report = await rollingRestart(runtime, service.workload.name);
        console.log(describeRolling(report));
        for (const failure of report.failures.slice(0, 5)) console.log(`  ${failure}`);
        ok &&= report.requests > 0 && report.failures.length === 0;
      }
      return ok;
    },
  },
  {
    name: "fault: bad input through the edge",
    async run(runtime) {
      let ok = true;
      for (const workload of catalog.filter((w) => w.openApiPath && w.edgeRoutes.length > 0)) {
        const report = await badInputThroughEdge(runtime.baseUrl, workload);
        console.log(describeBadInput(report));
        for (const error of report.serverErrors.slice(0, 5)) console.log(`  ${error}`);
        ok &&= report.serverErrors.length === 0;
      }
      return ok;
    },
  },
  {
    name: "browser tests",
    async run(runtime) {
      const manifest = resolve(REPO_ROOT, "images/web-front-end/package.json");
      const scripts = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")).scripts ?? {}) : {};
      if (!scripts["test:browser"]) {
        console.log("skipped: images/web-front-end has no test:browser script");
        return true;
      }
      const result = spawnSync(
        "npm",
        ["--prefix", "images", "run", "test:browser", "--workspace", "web-front-end"],
        {
          cwd: REPO_ROOT,
          stdio: "inherit",
          env: { ...process.env, TRADERX_BASE_URL: runtime.baseUrl },
        },
      );
      return result.status === 0;
    },
  },
];

async function main(): Promise<number> {
  process.env.TRADERX_LOCAL_DIR ??= resolve(REPO_ROOT, ".local-runtime/e2e");
  const settings = localSettings();
  rmSync(settings.root, { recursive: true, force: true });
  const runtime = new LocalRuntime({
    settings,
    launcherFor: await launcherChoiceFromEnv(process.env, (line) => console.log(line)),
  });
  const teardown = async () => {
    console.log("\n=== local runtime down");
    await runtime.down();
  };
  process.once("SIGINT", () => void teardown().then(() => process.exit(130)));
  process.once("SIGTERM", () => void teardown().then(() => process.exit(143)));

  const results: [string, boolean][] = [];
  try {
    console.log("=== local runtime up");
    const failures = await runtime.up();
    for (const failure of failures) {
      console.log(`FAILED ${failure.message}`);
      if (existsSync(failure.logFile)) console.log(`--- ${failure.logFile}\n${tailOf(failure.logFile)}\n---`);
    }
    results.push(["local runtime up", failures.length === 0]);
    if (failures.length === 0) {
      for (const stage of stages) {
        console.log(`\n=== ${stage.name}`);
        const started = Date.now();
        let ok: boolean;
        try {
          // Each stage starts from a whole system, so one stage's crash does not fail the next.
          const restarted = await runtime.startExited();
          if (restarted.length > 0) console.log(`restarted first, having exited: ${restarted.join(", ")}`);
          ok = await stage.run(runtime);
        } catch (error) {
          console.log(`error: ${(error as Error).stack ?? error}`);
          ok = false;
        }
        console.log(
          `=== ${stage.name}: ${ok ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
        );
        results.push([stage.name, ok]);
        if (!ok && stage.name === "readiness gate") break;
      }
    }
  } finally {
    await teardown();
  }
  console.log("\n=== end-to-end summary");
  for (const [name, ok] of results) console.log(`  ${ok ? "ok    " : "FAILED"} ${name}`);
  return results.every(([, ok]) => ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`e2e: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
