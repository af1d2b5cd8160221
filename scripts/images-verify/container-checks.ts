/**
 * Runs a built image the way its pod runs it and checks what the pod spec promises: it becomes ready on
 * its probe, its processes are not uid 0, it writes nothing outside /tmp, and it exits cleanly within its
 * grace period on SIGTERM. Containers use the host network and reach their peers over loopback.
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { ProbeCheck, ProbeTiming, Workload } from "../../components/catalog";
import { PRESTOP_DRAIN_SECONDS } from "../../components/workloads/hardened-pod";
import { docker } from "./docker-engine";

export type CheckName = "build" | "size" | "start" | "health" | "uid" | "write" | "shutdown";
export const CHECK_NAMES: readonly CheckName[] = [
  "build",
  "size",
  "start",
  "health",
  "uid",
  "write",
  "shutdown",
];

export interface CheckOutcome {
  ok: boolean;
  detail: string;
}
export type CheckOutcomes = Partial<Record<CheckName, CheckOutcome>>;

/** One container to run: the image, the uid its pod runs as, its env and the ports it listens on. */
export interface ContainerRun {
  workload: Workload;
  tag: string;
  uid: number;
  env: Record<string, string>;
  /** Port name -> port the process listens on in this run. */
  ports: Record<string, number>;
}

/** A run-to-completion workload (a Job) must finish within this. */
const JOB_DEADLINE_SECONDS = 180;
/** Kubernetes' defaults for unset probe fields. */
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
const WRITE_ERROR = /EROFS|read-only file system/i;

function cpuLimit(quantity: string): string {
  return quantity.endsWith("m") ? String(Number(quantity.slice(0, -1)) / 1000) : quantity;
}

function memoryBytes(quantity: string): string {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 };
  const match = /^(\d+(?:\.\d+)?)([KMG]i?)?$/.exec(quantity);
  if (!match) throw new Error(`memory quantity "${quantity}" is not understood`);
  return String(Math.round(Number(match[1]) * (match[2] ? units[match[2]] : 1)));
}

/**
 * `docker run` flags that give a container what the pod spec gives the pod: read-only root with a
 * writable /tmp, the pod's uid, no capabilities, no privilege escalation, its CPU and memory limits, and
 * the host network (peers on loopback).
 */
export function podLikeRunFlags(workload: Workload, uid: number): string[] {
  return [
    "--read-only",
    "--tmpfs",
    "/tmp:rw,mode=1777",
    "--user",
    String(uid),
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--network",
    "host",
    "--cpus",
    cpuLimit(workload.resources.limits.cpu),
    "--memory",
    memoryBytes(workload.resources.limits.memory),
  ];
}

export function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([name, value]) => ["--env", `${name}=${value}`]);
}

async function startContainer(run: ContainerRun): Promise<string> {
  const name = `traderx-verify-${run.workload.name}-${randomBytes(3).toString("hex")}`;
  const out = await docker([
    "run",
    "--detach",
    "--name",
    name,
    ...podLikeRunFlags(run.workload, run.uid),
    ...envFlags(run.env),
    run.tag,
  ]);
  return out.trim();
}

interface ContainerState {
  running: boolean;
  exitCode: number;
}

async function stateOf(id: string): Promise<ContainerState> {
  const out = await docker(["inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", id]);
  const [running, exitCode] = out.trim().split(" ");
  return { running: running === "true", exitCode: Number(exitCode) };
}

async function logsOf(id: string): Promise<string> {
  return docker(["logs", id], { withStderr: true }).catch((error: Error) => `(no logs: ${error.message})`);
}

function tail(text: string, lines = 15): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** One probe attempt; resolves with undefined on success, else why it failed. */
async function probeOnce(
  check: ProbeCheck & ProbeTiming,
  run: ContainerRun,
  id: string,
): Promise<string | undefined> {
  const timeoutMs = (check.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
  if (check.kind === "exec") {
    return docker(["exec", id, ...check.command]).then(
      () => undefined,
      (error: Error) => error.message,
    );
  }
  const port = run.ports[check.port];
  if (check.kind === "tcp") {
    return new Promise((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, timeout: timeoutMs });
      socket.once("connect", () => (socket.destroy(), resolve(undefined)));
      socket.once("timeout", () => (socket.destroy(), resolve(`no TCP answer on port ${port}`)));
      socket.once("error", (error) => resolve(error.message));
    });
  }
  const url = `http://127.0.0.1:${port}${check.path}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.arrayBuffer();
    // Kubernetes counts 200-399 as success.
    return response.status >= 200 && response.status < 400
      ? undefined
      : `GET ${url} answered ${response.status}`;
  } catch (error) {
    return `GET ${url}: ${(error as Error).cause ?? (error as Error).message}`;
  }
}

function budgetSeconds(check: ProbeTiming): number {
  const timing = { ...PROBE_DEFAULTS, ...check };
  return timing.initialDelaySeconds + timing.periodSeconds * timing.failureThreshold;
}

function describe(check: ProbeCheck): string {
  if (check.kind === "http") return `GET :${check.port}${check.path}`;
  return check.kind === "tcp" ? `TCP :${check.port}` : `exec ${check.command.join(" ")}`;
}

/**
 * Waits until the readiness probe passes within the startup budget (the startup probe's, when there is
 * one), then requires the liveness probe to pass too. Fills `start` and `health`.
 */
async function awaitReady(run: ContainerRun, id: string, outcomes: CheckOutcomes): Promise<void> {
  const probes = run.workload.probes!;
  const budget = (probes.startup ? budgetSeconds(probes.startup) : 0) + budgetSeconds(probes.readiness);
  const started = Date.now();
  let lastFailure = "not probed yet";
  while (Date.now() - started < budget * 1000) {
    const failure = await probeOnce(probes.readiness, run, id);
    if (failure === undefined) {
      const seconds = (Date.now() - started) / 1000;
      outcomes.start = { ok: true, detail: "running" };
      const liveness = await probeOnce(probes.liveness, run, id);
      outcomes.health = liveness
        ? { ok: false, detail: `ready after ${seconds.toFixed(1)} s, but liveness failed: ${liveness}` }
        : { ok: true, detail: `ready after ${seconds.toFixed(1)} s (${describe(probes.readiness)})` };
      return;
    }
    lastFailure = failure;
    const state = await stateOf(id);
    if (!state.running) {
      outcomes.start = {
        ok: false,
        detail: `exited with code ${state.exitCode} before it was ready:\n${tail(await logsOf(id))}`,
      };
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  outcomes.start = { ok: true, detail: "running" };
  outcomes.health = {
    ok: false,
    detail: `not ready within ${budget} s (${describe(probes.readiness)}: ${lastFailure}):\n${tail(await logsOf(id))}`,
  };
}

/** Every process of the container, by uid, as the host's process table shows it. */
async function checkUids(run: ContainerRun, id: string, outcomes: CheckOutcomes): Promise<void> {
  let table: string;
  try {
    table = await docker(["top", id, "-eo", "uid,pid,comm"]);
  } catch (error) {
    const state = await stateOf(id);
    if (!state.running && run.workload.kind === "Job") {
      outcomes.uid = { ok: true, detail: `finished before inspection; ran with --user ${run.uid}` };
      return;
    }
    outcomes.uid = { ok: false, detail: `could not list its processes: ${(error as Error).message}` };
    return;
  }
  const processes = table
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/));
  const wrong = processes.filter(([uid]) => Number(uid) === 0 || Number(uid) !== run.uid);
  outcomes.uid =
    wrong.length === 0
      ? { ok: true, detail: `${processes.length} process(es), all uid ${run.uid}` }
      : {
          ok: false,
          detail: `processes not running as uid ${run.uid}: ${wrong.map((p) => p.join(" ")).join("; ")}`,
        };
}

/** The container's exit code, or undefined when it still runs after `seconds`. */
async function exitWithin(id: string, seconds: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), seconds * 1000)),
  );
  try {
    return await Promise.race([docker(["wait", id]).then((out) => Number(out.trim())), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM, then the exit with code 0 within what the grace period leaves after the preStop drain. */
async function checkShutdown(run: ContainerRun, id: string, outcomes: CheckOutcomes): Promise<void> {
  // In the pod the preStop drain spends part of the grace period before SIGTERM arrives.
  const grace = run.workload.terminationGracePeriodSeconds - PRESTOP_DRAIN_SECONDS;
  const started = Date.now();
  await docker(["kill", "--signal", "TERM", id]);
  const exitCode = await exitWithin(id, grace);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (exitCode === undefined) {
    await docker(["kill", id]).catch(() => undefined);
    outcomes.shutdown = {
      ok: false,
      detail: `still running ${grace} s after SIGTERM (grace period minus the preStop drain); killed`,
    };
  } else if (exitCode !== 0) {
    outcomes.shutdown = {
      ok: false,
      detail: `exited with code ${exitCode} ${seconds} s after SIGTERM (expected 0):\n${tail(await logsOf(id))}`,
    };
  } else {
    outcomes.shutdown = { ok: true, detail: `exit 0 after ${seconds} s (allowed ${grace} s)` };
  }
}

/**
 * Nothing outside /tmp: `docker diff` must list no change, and the logs must show no write refused by the
 * read-only root (a write attempt that the read-only root stopped is a write outside /tmp all the same).
 */
async function checkWrites(id: string, outcomes: CheckOutcomes): Promise<void> {
  const changes = (await docker(["diff", id])).trim();
  const refused = (await logsOf(id)).split("\n").filter((line) => WRITE_ERROR.test(line));
  const problems = [
    ...(changes ? [`docker diff lists changes outside /tmp:\n${changes}`] : []),
    ...(refused.length > 0 ? [`tried to write on the read-only root:\n${tail(refused.join("\n"), 5)}`] : []),
  ];
  outcomes.write =
    problems.length === 0
      ? { ok: true, detail: "docker diff empty" }
      : { ok: false, detail: problems.join("\n") };
}

/** A long-running container: start, ready, uid. Returns its id; `finishRunning` does the rest. */
export async function startRunning(run: ContainerRun, outcomes: CheckOutcomes): Promise<string | undefined> {
  let id: string;
  try {
    id = await startContainer(run);
  } catch (error) {
    outcomes.start = { ok: false, detail: (error as Error).message };
    return undefined;
  }
  await awaitReady(run, id, outcomes);
  if (outcomes.start?.ok) await checkUids(run, id, outcomes);
  return id;
}

/** SIGTERM and shutdown, then the write check, then removal. */
export async function finishRunning(run: ContainerRun, id: string, outcomes: CheckOutcomes): Promise<void> {
  try {
    if (outcomes.start?.ok) await checkShutdown(run, id, outcomes);
    await checkWrites(id, outcomes);
  } finally {
    await docker(["rm", "--force", id]).catch(() => undefined);
  }
}

/** A run-to-completion container (a Job): it must exit 0 within the deadline, as its uid, writing nothing. */
export async function runToCompletion(run: ContainerRun, outcomes: CheckOutcomes): Promise<void> {
  let id: string;
  try {
    id = await startContainer(run);
  } catch (error) {
    outcomes.start = { ok: false, detail: (error as Error).message };
    return;
  }
  try {
    await checkUids(run, id, outcomes);
    const started = Date.now();
    const exitCode = await exitWithin(id, JOB_DEADLINE_SECONDS);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (exitCode === 0) outcomes.start = { ok: true, detail: `ran to completion in ${seconds} s` };
    else {
      if (exitCode === undefined) await docker(["kill", id]).catch(() => undefined);
      const how =
        exitCode === undefined ? `did not finish within ${JOB_DEADLINE_SECONDS} s` : `exited ${exitCode}`;
      outcomes.start = { ok: false, detail: `${how}:\n${tail(await logsOf(id))}` };
    }
    await checkWrites(id, outcomes);
  } finally {
    await docker(["rm", "--force", id]).catch(() => undefined);
  }
}
