/**
 * The Pulumi program under the mocked engine (the same harness the program tests use), next to two
 * baselines measured in the same run: a mocked program that declares one ConfigMap (the Pulumi runtime's
 * fixed cost) and one that declares as many ConfigMaps as the dev stack declares resources (the
 * runtime's per-resource cost), so the figure shows what the TraderX program's own work adds. Also
 * reports how many resources the dev stack declares.
 * Settings: TRADERX_BENCH_PROGRAM_RUNS (default 7), after one warm-up run of each.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { performance } from "node:perf_hooks";
import { ProgramRun, runProgram } from "../test/support/pulumi-program";
import { TEST_DB_PASSWORD } from "../test/support/stack-config";

const RUNS = Number(process.env.TRADERX_BENCH_PROGRAM_RUNS ?? 7);

async function configMapsProgram(count: number): Promise<void> {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) },
    "traderx",
    "baseline",
    false,
  );
  for (let i = 0; i < count; i++) new k8s.core.v1.ConfigMap(`baseline-${i}`, { data: { key: "value" } });
  await pulumi.runtime.disconnect();
}

async function devProgram(): Promise<ProgramRun> {
  const run = await runProgram("dev", { "traderx:dbPassword": TEST_DB_PASSWORD });
  if (run.error) throw run.error;
  return run;
}

async function timed(job: () => Promise<unknown>): Promise<number[]> {
  await job(); // warm-up: module loading and JIT
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await job();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];

async function main(): Promise<void> {
  const run = await devProgram();
  const baseline = await timed(() => configMapsProgram(1));
  const sameCount = await timed(() => configMapsProgram(run.resources.length));
  const program = await timed(devProgram);
  const custom = run.resources.filter((r) => r.custom).length;
  const byType = new Map<string, number>();
  for (const resource of run.resources) byType.set(resource.type, (byType.get(resource.type) ?? 0) + 1);

  console.log(`runs per figure: ${RUNS} (after one warm-up)`);
  const line = (label: string, samples: number[]) =>
    console.log(
      `${label.padEnd(44)} median ${median(samples).toFixed(1)} ms ` +
        `(min ${samples[0].toFixed(1)}, max ${samples[samples.length - 1].toFixed(1)})`,
    );
  line("baseline: mocked program, 1 ConfigMap", baseline);
  line(`baseline: mocked program, ${run.resources.length} ConfigMaps`, sameCount);
  line("dev stack program (mocked engine)", program);
  console.log(
    `dev stack program / ${run.resources.length}-ConfigMap baseline: ` +
      `${(median(program) / median(sameCount)).toFixed(2)}x`,
  );
  console.log(
    `dev stack resources: ${run.resources.length} declared (${custom} custom, ` +
      `${run.resources.length - custom} components)`,
  );
  for (const [type, count] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`  ${count}\t${type}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
