/**
 * `npm run soak` (not part of CI): the local runtime under a bounded-rate mixed load for
 * TRADERX_SOAK_MINUTES (default 10), through the edge. Passes when no request got a 5xx or no answer, and
 * no service's RSS grew by more than TRADERX_SOAK_RSS_GROWTH_MIB (default 32 MiB) between the end of the
 * first two minutes (heaps and JIT warm) and the end of the run.
 *
 * Load per second: 20 reads spread over every service's readiness paths, 2 market trades for a fresh
 * account, 1 limit order created and cancelled on the order matcher.
 */
import { resolve } from "node:path";
import { rmSync } from "node:fs";
import { postJson, request } from "./lib/http";
import { rssMiB } from "./lib/process-stats";
import { createAccount } from "./fault/load";
import { loadPaths } from "./fault/rolling-restart";
import { REPO_ROOT, localSettings } from "./local-runtime/layout";
import { LocalRuntime } from "./local-runtime/runtime";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function positive(key: string, fallback: number): number {
  const value = Number(process.env[key] ?? fallback);
  if (!(value > 0)) throw new Error(`${key} must be a positive number (default ${fallback})`);
  return value;
}

/** Runs `action` `perSecond` times a second until `until`; collects failures (5xx or no answer). */
async function paced(perSecond: number, until: number, failures: string[], action: () => Promise<number>) {
  const inFlight: Promise<void>[] = [];
  for (let i = 0; Date.now() < until; i++) {
    inFlight.push(
      action().then(
        (status) => void (status >= 500 && failures.push(`status ${status}`)),
        (error: Error) => void failures.push(error.message),
      ),
    );
    await sleep(1000 / perSecond);
  }
  await Promise.all(inFlight);
}

async function main(): Promise<number> {
  const minutes = positive("TRADERX_SOAK_MINUTES", 10);
  const growthBound = positive("TRADERX_SOAK_RSS_GROWTH_MIB", 32);
  process.env.TRADERX_LOCAL_DIR ??= resolve(REPO_ROOT, ".local-runtime/soak");
  const settings = localSettings();
  rmSync(settings.root, { recursive: true, force: true });
  const runtime = new LocalRuntime({ settings });
  try {
    const failed = await runtime.up();
    if (failed.length > 0 || !(await runtime.gate({ timeoutMs: 120_000, intervalMs: 2_000 }))) return 1;
    const services = runtime.system.components.filter(
      (c) => c.recipe === "node-service" && c.workload.kind !== "Job",
    );
    const base = runtime.baseUrl;
    const accountId = await createAccount(base, `soak ${Date.now()}`);
    const failures: string[] = [];
    const started = Date.now();
    const end = started + minutes * 60_000;
    const readPaths = services.flatMap((s) => loadPaths(s.workload));
    let readCount = 0;
    const reads = paced(20, end, failures, async () => {
      const path = readPaths[readCount++ % readPaths.length];
      return (await request(`${base}${path}`)).status;
    });
    let quantity = 1;
    const trades = paced(2, end, failures, async () => {
      const reply = await postJson(`${base}/trade-service/trade/`, {
        accountId,
        security: "MSFT",
        side: "Buy",
        quantity: quantity++,
      });
      return reply.status;
    });
    const orders = paced(1, end, failures, async () => {
      const created = await postJson(`${base}/order-matcher/orders`, {
        accountId,
        security: "C",
        side: "Sell",
        quantity: 10,
        limitPrice: 999,
      });
      if (created.status >= 500) return created.status;
      const { orderId } = created.json<{ orderId: string }>();
      return (await postJson(`${base}/order-matcher/orders/${orderId}/cancel`, {})).status;
    });
    const rss = (label: string) => {
      const sample = Object.fromEntries(
        services.map((s) => [s.workload.name, rssMiB(runtime.record(s.workload.name)!.pid) ?? NaN]),
      );
      console.log(
        `${label}: ${services.map((s) => `${s.workload.name} ${sample[s.workload.name].toFixed(0)}`).join(", ")} MiB`,
      );
      return sample;
    };
    await sleep(Math.min(120_000, (end - started) / 5));
    const warm = rss("RSS after warm-up");
    while (Date.now() < end) {
      await sleep(Math.min(60_000, Math.max(0, end - Date.now())));
      console.log(`${((Date.now() - started) / 60_000).toFixed(1)} min, ${failures.length} failures so far`);
    }
    await Promise.all([reads, trades, orders]);
    const final = rss("RSS at the end");
    const grown = services.filter((s) => final[s.workload.name] - warm[s.workload.name] > growthBound);
    console.log(
      `soak: ${minutes} min, ${readCount} reads, ${quantity - 1} trades, ${failures.length} failures`,
    );
    for (const failure of failures.slice(0, 10)) console.log(`  ${failure}`);
    for (const s of grown) {
      console.log(
        `  ${s.workload.name} grew ${(final[s.workload.name] - warm[s.workload.name]).toFixed(0)} MiB (bound ${growthBound})`,
      );
    }
    return failures.length === 0 && grown.length === 0 ? 0 : 1;
  } finally {
    await runtime.down();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`soak: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
