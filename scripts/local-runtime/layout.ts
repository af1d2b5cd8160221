/**
 * Where the local runtime keeps its files and which settings it reads. Everything lives under one
 * gitignored folder (default `.local-runtime/` at the repository root, `TRADERX_LOCAL_DIR` moves it):
 * `data/` (PostgreSQL, JetStream, Prometheus), `logs/` (one file per component), `config/` (rendered
 * configs), `run/` (sockets, pid files, nginx temp), `tmp/<component>/` (each process's TMPDIR) and
 * `state.json` (what is running, for `local:down` and `local:status`).
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "..", "..");

export interface RuntimeUser {
  name: string;
  uid: number;
  gid: number;
}

export interface LocalSettings {
  root: string;
  /** Port of the edge on the host (`TRADERX_LOCAL_PORT`, default 8080). */
  edgePort: number;
  /** The browser origin, `http://localhost:<edgePort>`. */
  publicOrigin: string;
  /** Password of the owner role; service passwords are derived from it as in the cluster. */
  ownerPassword: string;
  /** How services run: TypeScript source through tsx (no build needed) or the built `dist/main.js`. */
  serviceEntry: "source" | "dist";
  /** Seconds one component may take to become ready. */
  startTimeoutMs: number;
  /** The unprivileged user every process runs as (PostgreSQL refuses root); undefined when not root. */
  user?: RuntimeUser;
}

function lookupUser(name: string): RuntimeUser {
  try {
    const [uid, gid] = ["-u", "-g"].map((flag) =>
      Number(execFileSync("id", [flag, name], { encoding: "utf8" })),
    );
    return { name, uid, gid };
  } catch {
    throw new Error(
      `TRADERX_LOCAL_USER="${name}" is not a user on this machine; the local runtime runs its processes as an ` +
        `unprivileged user when started as root. Set TRADERX_LOCAL_USER to an existing user, or create one ` +
        `(the postgresql package creates "postgres").`,
    );
  }
}

function positiveInteger(env: NodeJS.ProcessEnv, key: string, fallback: number, max = Infinity): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new Error(
      `${key}="${raw}" must be a whole number between 1 and ${max}; unset it to use ${fallback}`,
    );
  }
  return value;
}

export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const edgePort = positiveInteger(env, "TRADERX_LOCAL_PORT", 8080, 65535);
  const entry = env.TRADERX_LOCAL_SERVICE_ENTRY ?? "source";
  if (entry !== "source" && entry !== "dist") {
    throw new Error(
      `TRADERX_LOCAL_SERVICE_ENTRY="${entry}" must be "source" (tsx, no build) or "dist" (npm run build)`,
    );
  }
  const root = resolve(env.TRADERX_LOCAL_DIR ?? resolve(REPO_ROOT, ".local-runtime"));
  const isRoot = process.getuid?.() === 0;
  return {
    root,
    edgePort,
    publicOrigin: `http://localhost:${edgePort}`,
    ownerPassword: env.TRADERX_LOCAL_DB_PASSWORD || "traderx-local",
    serviceEntry: entry,
    startTimeoutMs: positiveInteger(env, "TRADERX_LOCAL_START_TIMEOUT", 90) * 1000,
    user: isRoot ? lookupUser(env.TRADERX_LOCAL_USER ?? "postgres") : undefined,
  };
}

export const paths = (root: string) => ({
  state: resolve(root, "state.json"),
  /** The pid of a dockerd that container mode's `local:up` started, for `local:down` to stop. */
  dockerdPid: resolve(root, "run", "dockerd.pid"),
  data: (component: string) => resolve(root, "data", component),
  log: (component: string) => resolve(root, "logs", `${component}.log`),
  config: (file: string) => resolve(root, "config", file),
  run: (component: string) => resolve(root, "run", component),
  tmp: (component: string) => resolve(root, "tmp", component),
});
