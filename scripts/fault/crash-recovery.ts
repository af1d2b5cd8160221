/**
 * SIGKILL during a trade burst: the trade-processor, then the broker, then the database. Each is killed a
 * moment into a burst of uniquely sized trades for a fresh account, restarted at once, and then every
 * trade trade-service accepted must be booked exactly once (checked in the database itself).
 */
import { Client } from "pg";
import { DATABASE_NAME, DATABASE_OWNER_ROLE, containerPortOf } from "../../components/catalog";
import { launcherOf } from "../local-runtime/launcher";
import { LocalRuntime } from "../local-runtime/runtime";
import { createAccount, tradeBurst } from "./load";

export const CRASH_VICTIMS = ["trade-processor", "nats-broker", "database"] as const;

export interface CrashReport {
  victim: string;
  submitted: number;
  accepted: number;
  refused: number;
  /** Accepted trades never booked. Must be zero. */
  lost: number[];
  /** Accepted trades booked more than once. Must be zero. */
  duplicated: number[];
  /** Refused trades that were booked anyway (the client saw an error, the trade still happened). */
  bookedDespiteRefusal: number[];
  /** Other components that were no longer running at the end: collateral crashes. */
  exited: string[];
  restartMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Booked trades of an account, as quantity -> number of rows. */
async function bookedQuantities(runtime: LocalRuntime, accountId: number): Promise<Map<number, number>> {
  const client = new Client({
    host: "127.0.0.1",
    port: containerPortOf(runtime.component("database").workload, "postgres"),
    user: DATABASE_OWNER_ROLE,
    password: runtime.settings.ownerPassword,
    database: DATABASE_NAME,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ quantity: number; copies: string }>(
      "SELECT quantity, count(*) AS copies FROM trades WHERE accountid = $1 GROUP BY quantity",
      [accountId],
    );
    return new Map(rows.map((r) => [r.quantity, Number(r.copies)]));
  } finally {
    await client.end();
  }
}

export async function crashDuringBurst(
  runtime: LocalRuntime,
  victim: string,
  options = { trades: 60, perSecond: 15, killAfterMs: 1000, settleMs: 90_000 },
): Promise<CrashReport> {
  const accountId = await createAccount(runtime.baseUrl, `fault ${victim} ${Date.now()}`);
  const burst = tradeBurst(runtime.baseUrl, accountId, options.trades, options.perSecond, 1000);
  await sleep(options.killAfterMs);
  await runtime.stopComponent(victim, "SIGKILL");
  const restartStarted = Date.now();
  await runtime.startComponent(runtime.component(victim));
  const restartMs = Date.now() - restartStarted;
  const { accepted, refused } = await burst;

  // Wait until every accepted trade is booked, or the settle time has passed.
  const deadline = Date.now() + options.settleMs;
  let booked = new Map<number, number>();
  for (;;) {
    try {
      booked = await bookedQuantities(runtime, accountId);
    } catch {
      // The database may still be recovering; try again.
    }
    if (accepted.every((q) => booked.has(q)) || Date.now() > deadline) break;
    await sleep(1000);
  }
  // A moment more, so that a late duplicate delivery would show.
  await sleep(2000);
  booked = await bookedQuantities(runtime, accountId);
  return {
    victim,
    submitted: options.trades,
    accepted: accepted.length,
    refused: refused.length,
    lost: accepted.filter((q) => !booked.has(q)).sort((a, b) => a - b),
    duplicated: [...booked].filter(([, copies]) => copies > 1).map(([q]) => q),
    bookedDespiteRefusal: refused.filter((r) => booked.has(r.quantity)).map((r) => r.quantity),
    exited: runtime.state.components.filter((r) => !launcherOf(r).isRunning(r)).map((r) => r.name),
    restartMs,
  };
}

export function describeCrash(report: CrashReport): string {
  return (
    `SIGKILL ${report.victim}: ${report.submitted} trades submitted, ${report.accepted} accepted, ` +
    `${report.refused} refused; restarted in ${(report.restartMs / 1000).toFixed(1)} s; ` +
    `lost ${report.lost.length}, duplicated ${report.duplicated.length}, ` +
    `booked despite refusal ${report.bookedDespiteRefusal.length}` +
    (report.exited.length > 0 ? `; exited meanwhile: ${report.exited.join(", ")}` : "")
  );
}
