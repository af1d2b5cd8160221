/**
 * The container mode of the local runtime (`TRADERX_LOCAL_MODE=containers`): every built workload runs
 * from its image, built on the local stand-in base exactly as `npm run images:verify` builds it, with
 * the pod's hardening (read-only root, /tmp only, its uid, no capabilities) on the host network. Stores,
 * broker, edge and observability stay host processes. Registers itself as the `container` launcher, so
 * `local:down` and `local:status` find what `local:up` started in this mode.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { catalog, imageBuildOf } from "../../components/catalog";
import { imageSourceState } from "../../components/images/image-tag";
import { envFlags, podLikeRunFlags } from "../images-verify/container-checks";
import { dockerCli, ensureDockerEngine } from "../images-verify/docker-engine";
import { buildImage, standInImageTag } from "../images-verify/image-build";
import { ensureStandInBase } from "../images-verify/stand-in-base";
import { LocalComponent, localSystem } from "./components";
import { REPO_ROOT, localSettings, paths } from "./layout";
import {
  ComponentRecord,
  LaunchSpec,
  Launcher,
  launchers,
  processAlive,
  processLauncher,
  startedRecord,
  waitForExit,
} from "./launcher";
import { localWorkloads } from "./plan";
import { LauncherChoice, busyPorts } from "./runtime";

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One container per component and runtime folder: the name is derived from the log file, which the
 * spec and the record both carry, so a fresh `local:down` finds the container `local:up` started.
 */
export function containerName(component: { name: string; logFile: string }): string {
  const runtime = createHash("sha256").update(component.logFile).digest("hex").slice(0, 8);
  return `traderx-local-${runtime}-${component.name}`;
}

/** Host paths in the process env mean nothing inside the image; the container keeps its own. */
const HOST_ONLY_ENV = ["PATH", "HOME", "TMPDIR"];

/** `docker run` (attached: its output goes to the component's log) of the spec's workload image. */
function runArgs(spec: LaunchSpec): string[] {
  const env = Object.fromEntries(Object.entries(spec.env).filter(([name]) => !HOST_ONLY_ENV.includes(name)));
  return [
    "run",
    "--rm",
    "--name",
    containerName(spec),
    ...podLikeRunFlags(spec.workload, spec.workload.runAsUser),
    ...envFlags(env),
    standInImageTag(spec.workload),
  ];
}

/** Spawns the docker client for the spec with its output appended to the log file. */
function spawnDockerRun(spec: LaunchSpec, detached: boolean) {
  // A container left from a run that ended without local:down would hold the name.
  try {
    execFileSync(dockerCli(), ["rm", "--force", containerName(spec)], { stdio: "ignore" });
  } catch {
    // None was left.
  }
  const log = openSync(spec.logFile, "a");
  try {
    return spawn(dockerCli(), runArgs(spec), { detached, stdio: ["ignore", log, log] });
  } finally {
    closeSync(log);
  }
}

async function containerGone(name: string): Promise<boolean> {
  try {
    await execFileAsync(dockerCli(), ["inspect", "--format", "{{.State.Running}}", name]);
    return false;
  } catch {
    return true;
  }
}

export const containerLauncher: Launcher = {
  start(spec) {
    const child = spawnDockerRun(spec, true);
    if (child.pid === undefined) throw new Error(`could not start ${dockerCli()} for ${spec.name}`);
    child.on("error", () => undefined);
    child.unref();
    // The pid is the attached docker client's: it lives exactly as long as the container.
    return startedRecord(spec, "container", child.pid);
  },
  isRunning: (record) => processAlive(record.pid),
  signal(record, signal) {
    execFileSync(dockerCli(), ["kill", "--signal", signal, containerName(record)], { stdio: "ignore" });
  },
  async stop(record: ComponentRecord, signal, graceMs) {
    const name = containerName(record);
    await execFileAsync(dockerCli(), ["kill", "--signal", signal, name]).catch(() => undefined);
    const deadline = Date.now() + graceMs;
    while (!(await containerGone(name)) && Date.now() < deadline) await sleep(100);
    if (!(await containerGone(name))) {
      await execFileAsync(dockerCli(), ["rm", "--force", name]).catch(() => undefined);
    }
    while (processAlive(record.pid)) await sleep(20);
  },
  runToCompletion(spec, timeoutMs) {
    return new Promise((resolve) => {
      const child = spawnDockerRun(spec, false);
      const timer = setTimeout(() => {
        execFile(dockerCli(), ["kill", containerName(spec)], () => undefined);
      }, timeoutMs);
      child.on("error", (error) => resolve(error.message));
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? `killed by ${signal}`);
      });
    });
  },
};

launchers.container = containerLauncher;

/** How long a dockerd gets to stop its containers and exit after SIGTERM. */
const DOCKERD_STOP_MS = 30_000;

/** True when `pid` runs a program named dockerd: a recorded pid may belong to another process by now. */
function runsDockerd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "dockerd";
  } catch {
    return false;
  }
}

/**
 * Stops the dockerd that container mode's `local:up` started, if it did (a daemon that was already
 * running is left alone). Returns whether there was one to stop.
 */
export async function stopDockerdStartedByUp(root: string, log: (line: string) => void): Promise<boolean> {
  const pidFile = paths(root).dockerdPid;
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  rmSync(pidFile);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || !runsDockerd(pid)) return false;
  process.kill(pid, "SIGTERM");
  if (!(await waitForExit(pid, DOCKERD_STOP_MS))) {
    throw new Error(`dockerd (pid ${pid}) still runs ${DOCKERD_STOP_MS / 1000} s after SIGTERM`);
  }
  log(`  stopped dockerd (pid ${pid}), which local:up started`);
  return true;
}

/**
 * Starts Docker when needed, remembering a dockerd it starts for `local:down`, then builds every built
 * workload's image on the stand-in base (a warm rebuild when nothing changed takes well under a second
 * per image).
 */
async function buildLocalImages(root: string, log: (line: string) => void): Promise<void> {
  const engine = await ensureDockerEngine();
  if (engine.startedHere && engine.pid !== undefined) {
    mkdirSync(dirname(paths(root).dockerdPid), { recursive: true });
    writeFileSync(paths(root).dockerdPid, `${engine.pid}\n`);
  }
  const base = await ensureStandInBase();
  log(`container mode: base ${base.tag} (${base.built ? "built" : "cached"})`);
  for (const workload of localWorkloads(catalog)) {
    if (workload.image.kind !== "built") continue;
    if (!imageSourceState(workload, REPO_ROOT).buildable) {
      throw new Error(`images/${workload.image.folder} has no sources yet, so ${workload.name} has no image`);
    }
    const seconds = await buildImage(REPO_ROOT, imageBuildOf(workload), base.tag, standInImageTag(workload));
    log(`  image  ${standInImageTag(workload)} (${seconds.toFixed(1)} s)`);
  }
}

/**
 * The launcher choice for `TRADERX_LOCAL_MODE`: `processes` (the default) runs everything as host
 * processes; `containers` builds the images first, then runs built workloads from them.
 */
export async function launcherChoiceFromEnv(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<LauncherChoice> {
  const mode = env.TRADERX_LOCAL_MODE || "processes";
  if (mode === "processes") return () => processLauncher;
  if (mode !== "containers") {
    throw new Error(
      `TRADERX_LOCAL_MODE="${mode}" must be "processes" (host processes, the default) or "containers" (the built images)`,
    );
  }
  // Building takes minutes after a source change; a port another run holds would only show after that.
  const settings = localSettings(env);
  const busy = await busyPorts(localSystem(settings));
  if (busy.length > 0) {
    throw new Error(`ports already in use: ${busy.join(", ")}. Stop what holds them; no image was built.`);
  }
  await buildLocalImages(settings.root, log);
  return (component: LocalComponent) =>
    component.recipe === "node-service" ? containerLauncher : processLauncher;
}
