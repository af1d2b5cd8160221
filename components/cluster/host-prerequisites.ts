/**
 * Host prerequisites, checked before the program declares anything: the docker daemon answers, the
 * cluster tools are on PATH, and the host port is free (unless our cluster already holds it).
 *
 * The checks are pure over a `HostProbe`, so tests exercise every message without touching the host;
 * `systemHostProbe()` is the real one.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import type { Profile } from "../config/platform-config";

export interface HostProbe {
  /** Whether an executable of this name is on PATH. */
  onPath(command: string): boolean;
  /** Resolves to undefined when the daemon answers, or the reason it does not. */
  dockerDaemonProblem(): Promise<string | undefined>;
  /** Whether nothing listens on the TCP port of the loopback interface. */
  portFree(port: number): Promise<boolean>;
  /** Whether the named cluster (kind) or profile (minikube) exists already. */
  clusterExists(profile: Profile, clusterName: string): Promise<boolean>;
}

export interface PrerequisiteInput {
  profile: Profile;
  clusterName: string;
  hostPort: number;
}

const TOOLS: Record<Profile, { command: string; install: string }[]> = {
  kind: [
    {
      command: "kind",
      install: "install kind v0.33 or newer: https://kind.sigs.k8s.io/docs/user/quick-start/",
    },
    { command: "kubectl", install: "install kubectl: https://kubernetes.io/docs/tasks/tools/" },
  ],
  minikube: [
    { command: "minikube", install: "install minikube: https://minikube.sigs.k8s.io/docs/start/" },
    { command: "kubectl", install: "install kubectl: https://kubernetes.io/docs/tasks/tools/" },
  ],
  "aws-ec2-k8s": [],
};

/** Every unmet prerequisite, each with what to do about it; empty when the host is ready. */
export async function hostPrerequisiteProblems(
  input: PrerequisiteInput,
  probe: HostProbe,
): Promise<string[]> {
  const problems: string[] = [];
  if (!probe.onPath("docker")) {
    problems.push("docker is not on PATH: install Docker Engine or Docker Desktop");
  } else {
    const daemon = await probe.dockerDaemonProblem();
    if (daemon) problems.push(`the docker daemon is not reachable (${daemon}): start Docker and retry`);
  }
  for (const tool of TOOLS[input.profile]) {
    if (!probe.onPath(tool.command)) problems.push(`${tool.command} is not on PATH: ${tool.install}`);
  }
  if (problems.length > 0) return problems;
  // A cluster we created earlier already publishes the port; only a new cluster needs it free.
  if (
    !(await probe.clusterExists(input.profile, input.clusterName)) &&
    !(await probe.portFree(input.hostPort))
  ) {
    problems.push(
      `host port ${input.hostPort} is in use: stop what listens on it (e.g. \`ss -ltnp 'sport = :${input.hostPort}'\`) ` +
        `or choose another with \`pulumi config set traderx:hostPort <port>\``,
    );
  }
  return problems;
}

/** Throws one error listing every unmet prerequisite. */
export async function assertHostPrerequisites(input: PrerequisiteInput, probe: HostProbe): Promise<void> {
  const problems = await hostPrerequisiteProblems(input, probe);
  if (problems.length > 0) {
    throw new Error(
      `this host is not ready for the ${input.profile} profile:\n  - ${problems.join("\n  - ")}`,
    );
  }
}

const run = promisify(execFile);

/** The probe that looks at this machine. */
export function systemHostProbe(): HostProbe {
  return {
    onPath(command) {
      return (process.env.PATH ?? "").split(delimiter).some((dir) => {
        try {
          accessSync(join(dir, command), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
    },
    async dockerDaemonProblem() {
      try {
        await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 15_000 });
        return undefined;
      } catch (error) {
        const failed = error as { stderr?: string; message: string };
        return (failed.stderr || failed.message).trim().split("\n")[0];
      }
    },
    portFree(port) {
      return new Promise((resolve) => {
        const server = createServer();
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
      });
    },
    async clusterExists(profile, clusterName) {
      try {
        if (profile === "minikube") {
          const { stdout } = await run("minikube", ["profile", "list", "--output", "json"], {
            timeout: 30_000,
          });
          const listed = JSON.parse(stdout) as { valid?: { Name: string }[]; invalid?: { Name: string }[] };
          return [...(listed.valid ?? []), ...(listed.invalid ?? [])].some((p) => p.Name === clusterName);
        }
        const { stdout } = await run("kind", ["get", "clusters"], { timeout: 30_000 });
        return stdout.split("\n").includes(clusterName);
      } catch {
        return false;
      }
    },
  };
}
