/**
 * Runs Debian's real nginx against a rendered config: `nginx -t` with chosen hostnames resolvable, and a
 * foreground nginx serving requests. nginx runs as `nobody`, as it would never run as root in the pod.
 */
import { ChildProcess, execFile, spawn } from "node:child_process";
import { closeSync, fchmodSync, openSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface NginxWorkspace {
  dir: string;
  confPath: string;
  cleanup(): Promise<void>;
}

/** A world-writable temp folder holding `nginx.conf`, usable as nginx's prefix and runtime folder. */
export async function nginxWorkspace(): Promise<NginxWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), "traderx-edge-"));
  await chmod(dir, 0o777);
  return {
    dir,
    confPath: join(dir, "nginx.conf"),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

const AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"];

/**
 * `nginx -t` on a config. `hosts` names are made resolvable to 127.0.0.1 by bind-mounting a temporary
 * hosts file over /etc/hosts inside a private mount namespace, so the host's own file is untouched.
 * With `privateTmp`, the workspace is also mounted over /tmp there, for a config whose runtime folder is
 * /tmp as in the pod; its temp folders then land in the workspace.
 */
export async function nginxConfigTest(
  workspace: NginxWorkspace,
  hosts: readonly string[],
  options: { privateTmp?: boolean } = {},
): Promise<{ ok: boolean; output: string }> {
  const hostsFile = join(workspace.dir, "hosts");
  await writeFile(hostsFile, `127.0.0.1 localhost ${hosts.join(" ")}\n`);
  const prefix = options.privateTmp ? "/tmp" : workspace.dir;
  const nginx = [...AS_NOBODY, "nginx", "-t", "-e", "stderr", "-p", prefix, "-c", join(prefix, "nginx.conf")];
  const tmpMount = options.privateTmp ? 'mount --bind "$1" /tmp && ' : "";
  // stdout goes to /dev/null: nginx reopens /dev/stdout for the access log, which fails on a socket.
  const script = `mount --bind "$0" /etc/hosts && ${tmpMount}shift && exec "$@" >/dev/null`;
  try {
    const { stdout, stderr } = await run("unshare", [
      "--mount",
      "sh",
      "-c",
      script,
      hostsFile,
      workspace.dir,
      ...nginx,
    ]);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/**
 * A foreground nginx on the config; `stop()` ends it and waits for its exit. Its stdout and stderr go to
 * a world-writable file, since nginx reopens /dev/stdout as `nobody` and cannot reopen a socket.
 */
export async function startNginx(
  workspace: NginxWorkspace,
): Promise<{ stop(): Promise<void>; logs(): string }> {
  const logPath = join(workspace.dir, "nginx.log");
  const log = openSync(logPath, "a", 0o666);
  fchmodSync(log, 0o666);
  const child: ChildProcess = spawn(
    AS_NOBODY[0],
    [...AS_NOBODY.slice(1), "nginx", "-e", "stderr", "-p", workspace.dir, "-c", workspace.confPath],
    { stdio: ["ignore", log, log] },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    logs: () => readFileSync(logPath, "utf8"),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
