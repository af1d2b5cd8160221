/**
 * `npm run local:up | local:down | local:status`: the whole TraderX on this machine without Kubernetes.
 *
 * up      starts every component (see runtime.ts), runs the readiness gate and prints the URLs; on a
 *         failure prints the component, the reason and the tail of its log, and exits 1.
 * down    stops every component recorded in state.json, by pid, and a dockerd that up started.
 * status  one row per component: state (ready / running / stopped), pid and URL.
 */
import { existsSync } from "node:fs";
import { gateTimingFromEnv } from "../readiness/gate";
import { checkReady, localSystem } from "./components";
import { launcherChoiceFromEnv, stopDockerdStartedByUp } from "./container-launcher";
import { localSettings } from "./layout";
import { launcherOf } from "./launcher";
import { LocalRuntime, readState, stopRecorded, tailOf } from "./runtime";

async function up(): Promise<number> {
  const runtime = new LocalRuntime({
    launcherFor: await launcherChoiceFromEnv(process.env, (line) => console.log(line)),
  });
  const { settings } = runtime;
  const services =
    process.env.TRADERX_LOCAL_MODE === "containers" ? "their built images" : settings.serviceEntry;
  console.log(`local runtime in ${settings.root} (services from ${services}, edge on :${settings.edgePort})`);
  const failures = await runtime.up();
  if (failures.length > 0) {
    for (const failure of failures) {
      console.log(`\nFAILED ${failure.message}`);
      if (existsSync(failure.logFile))
        console.log(`--- last lines of ${failure.logFile}\n${tailOf(failure.logFile)}\n---`);
    }
    console.log(
      "\nthe components that did start are still running: `npm run local:status`, `npm run local:down`",
    );
    return 1;
  }
  if (!(await runtime.gate(gateTimingFromEnv()))) return 1;
  const origin = settings.publicOrigin;
  console.log(`\nTraderX is up\n  UI:           ${origin}/\n  API explorer: ${origin}/api/docs/`);
  console.log(`  Prometheus:   ${origin}/prometheus/\n  logs:         ${settings.root}/logs/`);
  console.log(
    "  (Grafana, Loki, Tempo and the collector run only on Kubernetes; their routes answer 503 here)",
  );
  return 0;
}

async function down(): Promise<number> {
  const settings = localSettings();
  const log = (line: string) => console.log(line);
  const state = readState(settings.root);
  const components = state?.components.length ?? 0;
  if (state && components > 0) await stopRecorded(state, log);
  // Last: the containers recorded above run on it.
  const dockerd = await stopDockerdStartedByUp(settings.root, log);
  if (components === 0 && !dockerd) {
    console.log(`nothing recorded in ${settings.root}/state.json; nothing to stop`);
    return 0;
  }
  console.log("local runtime stopped");
  return 0;
}

async function status(): Promise<number> {
  const settings = localSettings();
  const system = localSystem(settings);
  const records = readState(settings.root)?.components ?? [];
  const rows = await Promise.all(
    system.components.map(async (c) => {
      const record = records.find((r) => r.name === c.workload.name);
      let state = "stopped";
      if (c.ready.kind === "exit") state = "job";
      else if (record && launcherOf(record).isRunning(record))
        state = (await checkReady(c.ready)) ? "ready" : "running";
      return [c.workload.name, state, record && state !== "stopped" ? String(record.pid) : "-", c.url ?? ""];
    }),
  );
  const table = [["component", "state", "pid", "url"], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const row of table)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
  return rows.every((r) => r[1] === "ready" || r[1] === "job") ? 0 : 1;
}

const commands: Record<string, () => Promise<number>> = { up, down, status };
const command = commands[process.argv[2] ?? ""];
if (!command) {
  console.error(`usage: tsx scripts/local-runtime/cli.ts ${Object.keys(commands).join("|")}`);
  process.exit(2);
}
command().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`local runtime: ${error.message}`);
    process.exit(1);
  },
);
