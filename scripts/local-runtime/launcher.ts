/**
 * How one workload is started and stopped on this machine.
 *
 * The seam: the runtime asks `Launcher.start` for every workload and keeps the returned `ComponentRecord`
 * in `state.json`; `local:down` and `local:status` use only the record, through the launcher named in it.
 * This file provides the process launcher (every workload a host process). A container mode
 * (`TRADERX_LOCAL_MODE=containers`) adds a second `Launcher` in its own file that runs the built images
 * with `docker run --network host` from the same `LaunchSpec` (its `workload` gives the image through
 * `imageBuildOf`, its `env` the environment) and registers itself in `launchers` below.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { Workload } from "../../components/catalog";
import { RuntimeUser } from "./layout";

/** What to run for one workload, independent of how it is run. */
export interface LaunchSpec {
  /** The component's name: its workload name, or a derived one such as `order-matcher-surge`. */
  name: string;
  workload: Workload;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  /** The unprivileged user to run as, when the runtime itself runs as root. */
  user?: RuntimeUser;
}

/** What `state.json` keeps about a started component. */
export interface ComponentRecord {
  name: string;
  workload: string;
  launcher: string;
  pid: number;
  startedAt: string;
  logFile: string;
  /** Where a person opens it: the edge route, or its own loopback address. */
  url?: string;
}

/** The record of a component a launcher has just started as process `pid`. */
export function startedRecord(spec: LaunchSpec, launcher: string, pid: number): ComponentRecord {
  return {
    name: spec.name,
    workload: spec.workload.name,
    launcher,
    pid,
    startedAt: new Date().toISOString(),
    logFile: spec.logFile,
  };
}

export interface Launcher {
  start(spec: LaunchSpec): ComponentRecord;
  isRunning(record: ComponentRecord): boolean;
  /** Sends a signal without waiting (SIGHUP makes nginx reload its config). */
  signal(record: ComponentRecord, signal: NodeJS.Signals): void;
  /** Sends `signal`; resolves once the component is gone, or after `graceMs` with a SIGKILL. */
  stop(record: ComponentRecord, signal: NodeJS.Signals, graceMs: number): Promise<void>;
  /** Runs a run-to-completion component (a Job) in the foreground; resolves with its exit status. */
  runToCompletion(spec: LaunchSpec, timeoutMs: number): Promise<number | string>;
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; the command name in field 2 may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits up to `timeoutMs` for process `pid` to be gone; returns whether it is. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid) && Date.now() < deadline) await sleep(50);
  return !processAlive(pid);
}

/** Signals a whole process group (each component is started as the leader of its own group). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export const processLauncher: Launcher = {
  start(spec) {
    if (!existsSync(spec.cwd)) throw new Error(`working directory ${spec.cwd} does not exist`);
    const log = openSync(spec.logFile, "a");
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ["ignore", log, log],
        uid: spec.user?.uid,
        gid: spec.user?.gid,
      });
      if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
      // The child outlives this process (local:up returns); a spawn error after this point shows as exit.
      child.on("error", () => undefined);
      child.unref();
      return startedRecord(spec, "process", child.pid);
    } finally {
      closeSync(log);
    }
  },
  isRunning: (record) => processAlive(record.pid),
  signal: (record, signal) => process.kill(record.pid, signal),
  async stop(record, signal, graceMs) {
    if (!processAlive(record.pid)) return;
    signalGroup(record.pid, signal);
    if (!(await waitForExit(record.pid, graceMs))) {
      signalGroup(record.pid, "SIGKILL");
      while (processAlive(record.pid)) await sleep(20);
    }
  },
  runToCompletion(spec, timeoutMs) {
    return new Promise((resolve) => {
      const log = openSync(spec.logFile, "a");
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ["ignore", log, log],
        uid: spec.user?.uid,
        gid: spec.user?.gid,
      });
      closeSync(log);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", (error) => resolve(error.message));
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? `killed by ${signal}`);
      });
    });
  },
};

/** Launchers by the name kept in `ComponentRecord.launcher`. */
export const launchers: Record<string, Launcher> = { process: processLauncher };

export function launcherOf(record: ComponentRecord): Launcher {
  const launcher = launchers[record.launcher];
  if (!launcher)
    throw new Error(`component ${record.name} was started by an unknown launcher "${record.launcher}"`);
  return launcher;
}
