/**
 * The readiness gate (contract 6.1 with the correction in 9): poll every target through the edge until each
 * has answered its expected status once, or the timeout expires. A target is checked off the first time it
 * answers as expected and is not polled again, so targets need not all be green at the same moment.
 *
 * The targets are the `readinessChecks` of the workloads the running profile has: a profile without the
 * observability stack has no Grafana or Prometheus entries, and nothing here keeps its own list.
 */
import { HttpCheck, Workload } from "../../components/catalog";

export interface ReadinessTarget extends HttpCheck {
  /** Absolute URL polled, the check's path appended to the base URL. */
  url: string;
}

export interface GateTiming {
  timeoutMs: number;
  intervalMs: number;
}

/** Contract 6.1 defaults: 240 s timeout, 3 s interval. */
export const DEFAULT_GATE_TIMING: GateTiming = { timeoutMs: 240_000, intervalMs: 3_000 };

export function readinessTargets(workloads: readonly Workload[], baseUrl: string): ReadinessTarget[] {
  const base = baseUrl.replace(/\/+$/, "");
  return workloads.flatMap((w) => w.readinessChecks.map((c) => ({ ...c, url: `${base}${c.path}` })));
}

/**
 * Reads TRADERX_SMOKE_READY_TIMEOUT and TRADERX_SMOKE_READY_INTERVAL (seconds, as in the reference scripts).
 * A value that is not a positive number is a configuration error naming the key.
 */
export function gateTimingFromEnv(env: NodeJS.ProcessEnv = process.env): GateTiming {
  const seconds = (key: string, fallbackMs: number): number => {
    const raw = env[key];
    if (raw === undefined || raw.trim() === "") return fallbackMs;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(
        `${key}="${raw}" is not a positive number of seconds; set it to e.g. ${fallbackMs / 1000}`,
      );
    }
    return Math.round(value * 1000);
  };
  return {
    timeoutMs: seconds("TRADERX_SMOKE_READY_TIMEOUT", DEFAULT_GATE_TIMING.timeoutMs),
    intervalMs: seconds("TRADERX_SMOKE_READY_INTERVAL", DEFAULT_GATE_TIMING.intervalMs),
  };
}

/** What one poll of a target saw: an HTTP status, or the network error that prevented one. */
export type ProbeOutcome = { status: number } | { error: string };

/** One GET without following redirects, so that a 301 is seen as a 301. */
export async function probe(url: string, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

export interface TargetState {
  target: ReadinessTarget;
  ready: boolean;
  attempts: number;
  last?: ProbeOutcome;
  /** Milliseconds from the gate's start to the first expected answer. */
  readyAfterMs?: number;
}

export interface GateResult {
  ready: boolean;
  elapsedMs: number;
  targets: TargetState[];
}

export interface GateOptions extends GateTiming {
  /** Where the table goes; defaults to stdout. */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Per-request timeout; defaults to the interval, capped at 10 s. */
  requestTimeoutMs?: number;
}

function describe(outcome: ProbeOutcome | undefined): string {
  if (!outcome) return "-";
  return "status" in outcome ? String(outcome.status) : outcome.error;
}

/** The table printed while polling and at the end: one row per target. */
export function renderGateTable(states: readonly TargetState[], elapsedMs: number): string {
  const nameWidth = Math.max(4, ...states.map((s) => s.target.name.length));
  const pathWidth = Math.max(4, ...states.map((s) => s.target.path.length));
  const lastWidth = Math.max(4, ...states.map((s) => describe(s.last).length));
  const header = `${"name".padEnd(nameWidth)}  ${"path".padEnd(pathWidth)}  expect  ${"last".padEnd(lastWidth)}  state`;
  const rows = states.map((s) => {
    const state = s.ready
      ? `ready (${(s.readyAfterMs! / 1000).toFixed(1)} s)`
      : `waiting (${s.attempts} tries)`;
    return (
      `${s.target.name.padEnd(nameWidth)}  ${s.target.path.padEnd(pathWidth)}  ` +
      `${String(s.target.expectStatus).padEnd(6)}  ${describe(s.last).padEnd(lastWidth)}  ${state}`
    );
  });
  const done = states.filter((s) => s.ready).length;
  return [header, ...rows, `${done}/${states.length} ready after ${(elapsedMs / 1000).toFixed(1)} s`].join(
    "\n",
  );
}

/** One probe of every target, without waiting: the ingress probe table of the status script. */
export async function probeOnce(
  targets: readonly ReadinessTarget[],
  requestTimeoutMs: number,
): Promise<TargetState[]> {
  const started = Date.now();
  return Promise.all(
    targets.map(async (target) => {
      const last = await probe(target.url, requestTimeoutMs);
      const ready = "status" in last && last.status === target.expectStatus;
      return { target, ready, attempts: 1, last, readyAfterMs: ready ? Date.now() - started : undefined };
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until every target is checked off or the timeout passes. On a terminal the table is redrawn in
 * place after every round; otherwise each check-off is printed as a line and the table once at the end.
 */
export async function runReadinessGate(
  targets: readonly ReadinessTarget[],
  options: GateOptions,
): Promise<GateResult> {
  const out = options.out ?? process.stdout;
  const requestTimeoutMs = options.requestTimeoutMs ?? Math.min(options.intervalMs, 10_000);
  const states: TargetState[] = targets.map((target) => ({ target, ready: false, attempts: 0 }));
  const started = Date.now();
  let drawnLines = 0;

  const draw = () => {
    const table = renderGateTable(states, Date.now() - started);
    if (drawnLines > 0) out.write(`\x1b[${drawnLines}A\x1b[0J`);
    out.write(`${table}\n`);
    drawnLines = table.split("\n").length;
  };

  out.write(
    `readiness gate: ${states.length} targets, timeout ${options.timeoutMs / 1000} s, ` +
      `interval ${options.intervalMs / 1000} s\n`,
  );
  for (;;) {
    const round = Date.now();
    const pending = states.filter((s) => !s.ready);
    await Promise.all(
      pending.map(async (s) => {
        s.attempts += 1;
        s.last = await probe(s.target.url, requestTimeoutMs);
        if ("status" in s.last && s.last.status === s.target.expectStatus) {
          s.ready = true;
          s.readyAfterMs = Date.now() - started;
          if (!out.isTTY) out.write(`  ready: ${s.target.name} ${s.target.path} -> ${s.last.status}\n`);
        }
      }),
    );
    if (out.isTTY) draw();
    const elapsed = Date.now() - started;
    const ready = states.every((s) => s.ready);
    if (ready || elapsed >= options.timeoutMs) {
      if (!out.isTTY) out.write(`${renderGateTable(states, elapsed)}\n`);
      if (!ready) {
        const missing = states.filter((s) => !s.ready).map((s) => `${s.target.name} (${describe(s.last)})`);
        out.write(
          `readiness gate: timed out after ${(elapsed / 1000).toFixed(1)} s; not ready: ${missing.join(", ")}\n`,
        );
      }
      return { ready, elapsedMs: elapsed, targets: states };
    }
    const untilNextRound = options.intervalMs - (Date.now() - round);
    await sleep(Math.max(0, Math.min(untilNextRound, options.timeoutMs - (Date.now() - started))));
  }
}
