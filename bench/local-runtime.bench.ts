/**
 * The local runtime, measured through the edge in one run:
 * - trades per second and p50/p99 from `POST /trade-service/trade/` to the Settled event on
 *   `/accounts/{id}/trades` (received over the edge's `/nats-ws`), for a burst at fixed concurrency;
 * - idle and loaded RSS of every service;
 * - process start to first passing readiness check, per component: at start-up (all at once) and when
 *   each service is restarted alone;
 * - baseline: nginx answering its own `/health` at the same concurrency, in the same run.
 * Settings: TRADERX_BENCH_TRADES (default 300), TRADERX_BENCH_CONCURRENCY (default 8).
 */
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { subscribe } from "../scripts/lib/bus";
import { postJson, request } from "../scripts/lib/http";
import { rssMiB } from "../scripts/lib/process-stats";
import { createAccount } from "../scripts/fault/load";
import { REPO_ROOT, localSettings } from "../scripts/local-runtime/layout";
import { LocalRuntime } from "../scripts/local-runtime/runtime";

const TRADES = Number(process.env.TRADERX_BENCH_TRADES ?? 300);
const CONCURRENCY = Number(process.env.TRADERX_BENCH_CONCURRENCY ?? 8);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `count` jobs with `concurrency` workers; returns each job's latency (ms) and the wall time. */
async function closedLoop(count: number, concurrency: number, job: (i: number) => Promise<number>) {
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) latencies.push(await job(next++));
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), wallMs: Date.now() - started };
}

const fmt = (n: number) => n.toFixed(1);

async function main(): Promise<number> {
  process.env.TRADERX_LOCAL_DIR ??= resolve(REPO_ROOT, ".bench/local-runtime");
  const settings = localSettings();
  rmSync(settings.root, { recursive: true, force: true });
  const runtime = new LocalRuntime({ settings, log: () => undefined });
  try {
    const failures = await runtime.up();
    if (failures.length > 0) {
      for (const f of failures) console.log(`cannot benchmark: ${f.message}`);
      return 1;
    }
    if (!(await runtime.gate({ timeoutMs: 120_000, intervalMs: 2_000 }))) return 1;
    const base = runtime.baseUrl;
    const services = runtime.system.components.filter(
      (c) => c.recipe === "node-service" && c.workload.kind !== "Job",
    );
    const rss = () =>
      new Map(services.map((s) => [s.workload.name, rssMiB(runtime.record(s.workload.name)!.pid) ?? NaN]));

    console.log(
      `services run from ${settings.serviceEntry}; ${TRADES} trades at concurrency ${CONCURRENCY}\n`,
    );
    // At start-up every service starts at once; a restart of one service alone shows its own start time.
    const together = new Map(runtime.readyAfterMs);
    for (const service of services) await runtime.restartComponent(service.workload.name);
    console.log("process start -> ready (ms)   all at once   alone");
    for (const [name, ms] of together) {
      const alone = services.some((s) => s.workload.name === name)
        ? String(runtime.readyAfterMs.get(name))
        : "";
      console.log(`  ${name.padEnd(20)} ${String(ms).padStart(14)}   ${alone.padStart(5)}`);
    }

    await new Promise((r) => setTimeout(r, 10_000));
    const idle = rss();

    // Baseline: the edge's own /health, same number of requests and concurrency.
    await closedLoop(100, CONCURRENCY, async () => (await request(`${base}/health`), 0));
    const health = await closedLoop(TRADES, CONCURRENCY, async () => {
      const t0 = performance.now();
      await request(`${base}/health`);
      return performance.now() - t0;
    });

    const accountId = await createAccount(base, `bench ${Date.now()}`);
    const bus = await subscribe(base, [`/accounts/${accountId}/trades`]);
    const loaded = new Map<string, number>();
    const sampler = setInterval(() => {
      for (const [name, value] of rss()) loaded.set(name, Math.max(loaded.get(name) ?? 0, value));
    }, 250);
    let refused = 0;
    const trades = await closedLoop(TRADES, CONCURRENCY, async (i) => {
      const quantity = 1 + i;
      const t0 = performance.now();
      const reply = await postJson(`${base}/trade-service/trade/`, {
        accountId,
        security: "IBM",
        side: "Buy",
        quantity,
      });
      if (reply.status !== 200) {
        refused += 1;
        return NaN;
      }
      await bus.waitFor(
        `Settled trade of ${quantity}`,
        (m) => m.payload.quantity === quantity && m.payload.state === "Settled",
        60_000,
      );
      return performance.now() - t0;
    });
    clearInterval(sampler);
    await bus.close();
    const settled = trades.latencies.filter((l) => !Number.isNaN(l));

    const tradesPerSecond = (settled.length * 1000) / trades.wallMs;
    const healthPerSecond = (TRADES * 1000) / health.wallMs;
    console.log("\nthrough the edge            req/s     p50 ms   p99 ms");
    console.log(
      `  baseline GET /health     ${fmt(healthPerSecond).padStart(7)}   ${fmt(percentile(health.latencies, 50)).padStart(6)}   ${fmt(percentile(health.latencies, 99)).padStart(6)}`,
    );
    console.log(
      `  trade submit -> Settled  ${fmt(tradesPerSecond).padStart(7)}   ${fmt(percentile(settled, 50)).padStart(6)}   ${fmt(percentile(settled, 99)).padStart(6)}`,
    );
    console.log(
      `  ratio trade/baseline     ${(tradesPerSecond / healthPerSecond).toFixed(3)}x   ${(percentile(settled, 50) / percentile(health.latencies, 50)).toFixed(1)}x`,
    );
    if (refused > 0) console.log(`  ${refused} trades refused (not in the figures)`);
    console.log("\nRSS (MiB)              idle   loaded");
    for (const s of services) {
      const name = s.workload.name;
      console.log(
        `  ${name.padEnd(20)} ${fmt(idle.get(name)!).padStart(6)}  ${fmt(loaded.get(name) ?? NaN).padStart(6)}`,
      );
    }
    return refused === 0 ? 0 : 1;
  } finally {
    await runtime.down();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
