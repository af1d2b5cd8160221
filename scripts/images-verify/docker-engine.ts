/**
 * The Docker engine the image checks talk to: Debian's docker.io, its daemon started here when none runs.
 */
import { ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * The client that ships with Debian's docker.io. It speaks BuildKit to the daemon by itself; a newer
 * docker CLI found earlier on PATH may lack the buildx plugin its BuildKit path needs.
 */
const DEBIAN_DOCKER_CLI = "/usr/bin/docker";
const DOCKERD = "/usr/sbin/dockerd";
export const DOCKERD_LOG = "/var/log/traderx-dockerd.log";

export function dockerCli(): string {
  return existsSync(DEBIAN_DOCKER_CLI) ? DEBIAN_DOCKER_CLI : "docker";
}

/** Env of every docker client call: BuildKit on, so multi-stage builds skip unused stages and cache well. */
function dockerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_BUILDKIT: "1" };
}

export class DockerError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`docker ${args.join(" ")} failed (exit ${exitCode}):\n${output.trim()}`);
  }
}

/**
 * Runs the docker client and returns its stdout (with `withStderr`, stdout then stderr, as for
 * `docker logs`); throws DockerError with both otherwise.
 */
export async function docker(args: string[], options: { withStderr?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerCli(), args, { env: dockerEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => reject(error));
    child.on("close", (code) => {
      if (code === 0) resolve(options.withStderr ? `${stdout}${stderr}` : stdout);
      else reject(new DockerError(args, code, `${stdout}${stderr}`));
    });
    child.stdin.end();
  });
}

async function daemonAnswers(): Promise<boolean> {
  try {
    await execFileAsync(dockerCli(), ["version", "--format", "{{.Server.Version}}"], {
      env: dockerEnv(),
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

async function installDockerIo(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "docker.io is not installed; install it with: sudo apt-get update && sudo apt-get install -y docker.io",
    );
  }
  console.log("docker: installing Debian's docker.io");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await execFileAsync("apt-get", ["update", "-qq"], { env });
  await execFileAsync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "docker.io"], { env });
}

/** The daemon a run talks to, and whether the run started it. */
export interface DockerEngine {
  /** True when this process started dockerd, false when one was already running. */
  startedHere: boolean;
  /** The pid of the dockerd this process started. */
  pid?: number;
  /** Stops dockerd if this process started it; a daemon found running is left alone. */
  stopIfStartedHere(): Promise<void>;
}

/** How long dockerd gets to stop its containers and exit after SIGTERM. */
const DOCKERD_STOP_SECONDS = 30;

async function stopDaemon(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  console.log(`docker: stopping the dockerd this run started (pid ${daemon.pid})`);
  const exited = once(daemon, "exit");
  daemon.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), DOCKERD_STOP_SECONDS * 1000);
  });
  const outcome = await Promise.race([exited, deadline]);
  clearTimeout(timer);
  if (outcome === "late") {
    throw new Error(
      `dockerd (pid ${daemon.pid}) still runs ${DOCKERD_STOP_SECONDS} s after SIGTERM; see ${DOCKERD_LOG}`,
    );
  }
}

/**
 * Makes sure a Docker daemon answers: installs docker.io when it is missing and starts dockerd when none
 * runs. The caller stops a daemon it started with `stopIfStartedHere`; its log is DOCKERD_LOG.
 */
export async function ensureDockerEngine(): Promise<DockerEngine> {
  if (!existsSync(DOCKERD)) await installDockerIo();
  if (await daemonAnswers()) return { startedHere: false, stopIfStartedHere: async () => undefined };
  if (process.getuid?.() !== 0) {
    throw new Error(`no Docker daemon answers; start one as root with: sudo ${DOCKERD} &`);
  }
  console.log(`docker: starting dockerd (log: ${DOCKERD_LOG})`);
  mkdirSync(dirname(DOCKERD_LOG), { recursive: true });
  const log = openSync(DOCKERD_LOG, "a");
  // Detached, so that a caller that keeps it (the local runtime's container mode) can exit and leave it
  // running. A second dockerd started concurrently exits on its pid file, and the wait below then finds
  // the first one, which this process did not start.
  const daemon = spawn(DOCKERD, [], { detached: true, stdio: ["ignore", log, log] });
  daemon.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await daemonAnswers()) {
      const startedHere = daemon.exitCode === null && daemon.signalCode === null;
      return {
        startedHere,
        pid: startedHere ? daemon.pid : undefined,
        stopIfStartedHere: () => (startedHere ? stopDaemon(daemon) : Promise.resolve()),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`dockerd did not answer within 60 s; see ${DOCKERD_LOG}`);
}

/** Build cache kept between runs: enough for warm rebuilds of every image, bounded on a CI machine. */
const BUILD_CACHE_KEEP = "6GB";

/**
 * Every run retags each image, leaving the previous one dangling, and adds to the build cache; both
 * would grow without end on a machine that runs the checks for every submission.
 */
export async function trimDockerStorage(): Promise<void> {
  await docker(["image", "prune", "--force"]);
  await docker(["builder", "prune", "--force", "--keep-storage", BUILD_CACHE_KEEP]);
}
