/**
 * The local stand-in of every workload: which program runs it, with which config and env, and how to tell
 * it is ready. Addresses, env, edge routes, scrape jobs and probes all come from the catalog and the shared
 * renderers, with `loopbackPeerAddresses` in place of Service names.
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import {
  PeerAddresses,
  Workload,
  catalog,
  containerPortOf,
  databaseEnv,
  databaseSecretEnv,
  deriveRolePassword,
} from "../../components/catalog";
import { loopbackPeerAddresses } from "../../components/catalog/peers";
import { renderEdgeNginxConf } from "../../components/edge/nginx-config";
import { renderBlackboxConfig } from "../../components/observability/blackbox-config";
import {
  prometheusArgs,
  renderAlertRules,
  renderPrometheusConfig,
} from "../../components/observability/prometheus-config";
import { LocalSettings, REPO_ROOT, paths } from "./layout";
import { LaunchSpec, processAlive } from "./launcher";
import { LocalRecipe, localRecipeOf, localWorkloads, workloadsWithoutLocalBuild } from "./plan";

/** A Debian package the local runtime needs, and the executable that proves it is installed. */
interface SystemTool {
  executable: string;
  debianPackage: string;
}

const SYSTEM_TOOLS: Record<Exclude<LocalRecipe, "node-service">, SystemTool[]> = {
  postgres: [{ executable: "postgres", debianPackage: "postgresql" }],
  nats: [{ executable: "nats-server", debianPackage: "nats-server" }],
  nginx: [{ executable: "nginx", debianPackage: "nginx" }],
  prometheus: [{ executable: "prometheus", debianPackage: "prometheus" }],
  blackbox: [{ executable: "prometheus-blackbox-exporter", debianPackage: "prometheus-blackbox-exporter" }],
};

/** Where system programs are looked for. PostgreSQL's live in a versioned folder that is not on PATH. */
export interface ProgramDirs {
  binDirs: string[];
  postgresBase: string;
}

export const DEFAULT_PROGRAM_DIRS: ProgramDirs = {
  binDirs: [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/sbin", "/usr/bin", "/sbin"],
  postgresBase: "/usr/lib/postgresql",
};

/** The bin folder of the newest installed PostgreSQL. */
function postgresBinDir(dirs: ProgramDirs = DEFAULT_PROGRAM_DIRS): string | undefined {
  const base = dirs.postgresBase;
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(`${base}/${v}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? `${base}/${versions[0]}/bin` : undefined;
}

export function findExecutable(name: string, dirs: ProgramDirs = DEFAULT_PROGRAM_DIRS): string | undefined {
  if (name === "postgres") {
    const dir = postgresBinDir(dirs);
    return dir ? `${dir}/postgres` : undefined;
  }
  return dirs.binDirs.map((d) => resolve(d, name)).find((p) => existsSync(p));
}

/** Every missing tool of the given recipes, as one message with the command that installs them. */
export function missingSystemPackages(
  recipes: readonly LocalRecipe[],
  dirs: ProgramDirs = DEFAULT_PROGRAM_DIRS,
): string | undefined {
  const missing = new Set<string>();
  for (const recipe of recipes) {
    if (recipe === "node-service") continue;
    for (const tool of SYSTEM_TOOLS[recipe]) {
      if (!findExecutable(tool.executable, dirs)) missing.add(tool.debianPackage);
    }
  }
  if (missing.size === 0) return undefined;
  const list = [...missing].join(" ");
  return `missing system packages: ${list}\ninstall them with: sudo apt-get update && sudo apt-get install -y ${list}`;
}

/** How a component shows it is ready. */
export type ReadyCheck =
  | { kind: "http"; url: string }
  | { kind: "tcp"; port: number }
  /** A program that exits 0 once the component accepts work (pg_isready). */
  | { kind: "command"; command: string; args: string[] }
  /** Run-to-completion: ready means exited with status 0. */
  | { kind: "exit" };

export interface LocalComponent {
  workload: Workload;
  recipe: LocalRecipe;
  spec: LaunchSpec;
  ready: ReadyCheck;
  /** Where a person opens it. */
  url?: string;
  /** Writes config files and data folders; runs before every start. */
  prepare(): void;
  /** Runs once the component is ready (e.g. creating the database). */
  afterReady?(): void;
}

export interface LocalSystem {
  settings: LocalSettings;
  /** The workloads that run here, in rollout order. */
  workloads: Workload[];
  peers: PeerAddresses;
  /**
   * Ports the edge uses instead of a workload's own, while a second instance of it takes the traffic
   * (the rolling-restart fault test). Applied when the edge config is next rendered.
   */
  edgePortOverrides: Map<string, number>;
  components: LocalComponent[];
}

function httpReady(workload: Workload): ReadyCheck {
  const probe = workload.probes?.readiness;
  if (!probe) return { kind: "exit" };
  if (probe.kind === "http")
    return { kind: "http", url: `http://127.0.0.1:${containerPortOf(workload, probe.port)}${probe.path}` };
  if (probe.kind === "tcp") return { kind: "tcp", port: containerPortOf(workload, probe.port) };
  throw new Error(`workload ${workload.name}: an exec readiness probe needs a recipe-specific local check`);
}

/** Makes the runtime user own a folder it writes to. */
function ownedDir(dir: string, settings: LocalSettings): string {
  mkdirSync(dir, { recursive: true });
  if (settings.user) chownSync(dir, settings.user.uid, settings.user.gid);
  return dir;
}

function writeConfig(settings: LocalSettings, file: string, content: string): string {
  const path = paths(settings.root).config(file);
  ownedDir(resolve(path, ".."), settings);
  writeFileSync(path, content);
  return path;
}

/** Environment a process starts from: nothing inherited but PATH, so the catalog env is the whole story. */
function baseEnv(settings: LocalSettings, name: string): Record<string, string> {
  const tmp = ownedDir(paths(settings.root).tmp(name), settings);
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, TMPDIR: tmp, LANG: "C.UTF-8" };
}

/** The catalog env of a workload with its database credentials filled in as literals. */
export function workloadEnv(
  workload: Workload,
  peers: PeerAddresses,
  settings: LocalSettings,
): Record<string, string> {
  const env: Record<string, string> = { ...workload.env(peers), ...databaseEnv(workload, peers, catalog) };
  for (const [name, role] of Object.entries(databaseSecretEnv(workload, catalog))) {
    env[name] = deriveRolePassword(settings.ownerPassword, role);
  }
  return env;
}

function spec(
  settings: LocalSettings,
  workload: Workload,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd = settings.root,
): LaunchSpec {
  ownedDir(resolve(paths(settings.root).log(workload.name), ".."), settings);
  return {
    name: workload.name,
    workload,
    command,
    args,
    env: { ...baseEnv(settings, workload.name), ...env },
    cwd,
    logFile: paths(settings.root).log(workload.name),
    user: settings.user,
  };
}

function nodeService(system: Omit<LocalSystem, "components">, workload: Workload): LocalComponent {
  const { settings, peers } = system;
  const folder = resolve(
    REPO_ROOT,
    "images",
    workload.image.kind === "built" ? workload.image.folder : workload.name,
  );
  const entry =
    settings.serviceEntry === "dist"
      ? ["dist/main.js"]
      : ["--conditions=source", "--import", "tsx", "src/main.ts"];
  const main = resolve(folder, entry[entry.length - 1]);
  const httpPort = workload.ports[0];
  // The shortest route is the one a person opens (`/` rather than `/ng-cli-ws`).
  const edgeRoute = [...workload.edgeRoutes].sort((a, b) => a.path.length - b.path.length)[0];
  return {
    workload,
    recipe: "node-service",
    spec: spec(
      settings,
      workload,
      process.execPath,
      entry,
      { NODE_ENV: "production", ...workloadEnv(workload, peers, settings) },
      folder,
    ),
    ready: httpReady(workload),
    url: edgeRoute
      ? `${settings.publicOrigin}${edgeRoute.path}`
      : httpPort && `http://127.0.0.1:${containerPortOf(workload, httpPort.name)}`,
    prepare() {
      if (!existsSync(main)) {
        const how =
          settings.serviceEntry === "dist"
            ? "run `npm --prefix images run build`"
            : "the workspace has no entry point yet";
        throw new Error(`${main} does not exist (${how})`);
      }
      // tsx runs the server from source, but a browser bundle only exists once Vite has built it.
      if (settings.serviceEntry === "source" && existsSync(resolve(folder, "vite.config.ts"))) {
        execFileSync(resolve(REPO_ROOT, "images/node_modules/.bin/vite"), ["build", "--logLevel", "warn"], {
          cwd: folder,
          stdio: ["ignore", "ignore", "pipe"],
        });
      }
    },
  };
}

function psql(settings: LocalSettings, bin: string, sql: string): string {
  return execFileSync(
    `${bin}/psql`,
    ["-h", "127.0.0.1", "-p", "5432", "-U", "traderx", "-d", "postgres", "-tAc", sql],
    {
      env: { ...process.env, PGPASSWORD: settings.ownerPassword },
      encoding: "utf8",
    },
  ).trim();
}

/**
 * After a SIGKILL the lock files (data folder and socket) name a postmaster that is gone. PostgreSQL tests
 * the pid with kill(0), which a zombie passes when nothing reaps the killed process, so lock files of a
 * dead pid are removed here.
 */
function removeStaleLockFiles(lockFiles: readonly string[]): void {
  for (const lockFile of lockFiles) {
    if (!existsSync(lockFile)) continue;
    const pid = Number(readFileSync(lockFile, "utf8").split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) rmSync(lockFile);
  }
}

function postgres(system: Omit<LocalSystem, "components">, workload: Workload): LocalComponent {
  const { settings } = system;
  const bin = postgresBinDir()!;
  const dataDir = paths(settings.root).data("postgres");
  const socketDir = paths(settings.root).run("postgres");
  const port = containerPortOf(workload, "postgres");
  const user = settings.user;
  return {
    workload,
    recipe: "postgres",
    spec: spec(
      settings,
      workload,
      `${bin}/postgres`,
      [
        "-D",
        dataDir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `port=${port}`,
        "-c",
        `unix_socket_directories=${socketDir}`,
      ],
      {},
    ),
    // The port opens before connections are accepted; pg_isready tells the two apart.
    ready: { kind: "command", command: `${bin}/pg_isready`, args: ["-h", "127.0.0.1", "-p", String(port)] },
    url: `postgresql://127.0.0.1:${port}/traderx`,
    prepare() {
      ownedDir(socketDir, settings);
      removeStaleLockFiles([`${dataDir}/postmaster.pid`, `${socketDir}/.s.PGSQL.${port}.lock`]);
      if (existsSync(`${dataDir}/PG_VERSION`)) return;
      ownedDir(dataDir, settings);
      const pwfile = writeConfig(settings, "postgres-owner-password", `${settings.ownerPassword}\n`);
      if (user) chownSync(pwfile, user.uid, user.gid);
      execFileSync(
        `${bin}/initdb`,
        [
          "-D",
          dataDir,
          "-U",
          "traderx",
          `--pwfile=${pwfile}`,
          "--auth=scram-sha-256",
          "-E",
          "UTF8",
          "--locale=C.UTF-8",
        ],
        {
          uid: user?.uid,
          gid: user?.gid,
          stdio: ["ignore", "ignore", "pipe"],
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
        },
      );
    },
    afterReady() {
      // The TCP port opens slightly before connections are accepted; pg_isready waits for that.
      execFileSync(`${bin}/pg_isready`, ["-h", "127.0.0.1", "-p", String(port), "-t", "30"], {
        stdio: "ignore",
      });
      if (psql(settings, bin, "SELECT 1 FROM pg_database WHERE datname = 'traderx'") !== "1") {
        psql(settings, bin, "CREATE DATABASE traderx OWNER traderx");
      }
    },
  };
}

/** nats.conf for one loopback server: JetStream on disk, websocket without TLS, monitoring. */
export function renderLocalNatsConf(workload: Workload, storeDir: string): string {
  const port = (name: string) => containerPortOf(workload, name);
  return [
    "# Rendered by scripts/local-runtime/components.ts for the local runtime.",
    "server_name: traderx-local",
    `listen: 127.0.0.1:${port("client")}`,
    `http: 127.0.0.1:${port("monitor")}`,
    `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
    `websocket { host: 127.0.0.1, port: ${port("ws")}, no_tls: true }`,
    "",
  ].join("\n");
}

function nats(system: Omit<LocalSystem, "components">, workload: Workload): LocalComponent {
  const { settings } = system;
  const storeDir = paths(settings.root).data("nats");
  const confPath = paths(settings.root).config("nats.conf");
  return {
    workload,
    recipe: "nats",
    spec: spec(settings, workload, findExecutable("nats-server")!, ["-c", confPath], {}),
    ready: httpReady(workload),
    url: `nats://127.0.0.1:${containerPortOf(workload, "client")}`,
    prepare() {
      ownedDir(storeDir, settings);
      writeConfig(settings, "nats.conf", renderLocalNatsConf(workload, storeDir));
    },
  };
}

/** The system's peers, except that the edge reaches an overridden workload on its override port. */
function edgePeers(system: Omit<LocalSystem, "components">): PeerAddresses {
  const { peers, edgePortOverrides } = system;
  const port = (name: string, portName: string) => edgePortOverrides.get(name) ?? peers.port(name, portName);
  return { ...peers, port, url: (name, portName) => `http://${peers.host(name)}:${port(name, portName)}` };
}

function nginx(system: Omit<LocalSystem, "components">, workload: Workload): LocalComponent {
  const { settings } = system;
  const runDir = paths(settings.root).run("nginx");
  const confPath = paths(settings.root).config("nginx.conf");
  return {
    workload,
    recipe: "nginx",
    spec: spec(
      settings,
      workload,
      findExecutable("nginx")!,
      ["-e", "stderr", "-p", runDir, "-c", confPath],
      {},
    ),
    ready: { kind: "http", url: `http://127.0.0.1:${settings.edgePort}/health` },
    url: `${settings.publicOrigin}/`,
    prepare() {
      ownedDir(runDir, settings);
      const conf = renderEdgeNginxConf({
        // Every catalog route exists; the ones without a local build answer 503 and say why.
        workloads: catalog,
        peers: edgePeers(system),
        listenPort: settings.edgePort,
        runtimeDir: runDir,
        unavailable: workloadsWithoutLocalBuild(catalog).map((w) => w.name),
        unavailableReason: "the local runtime has no build of it; it runs only in the Kubernetes profile",
        accessLog: paths(settings.root).log("edge-proxy.access"),
      });
      writeConfig(settings, "nginx.conf", conf);
    },
  };
}

function prometheus(system: Omit<LocalSystem, "components">, workload: Workload): LocalComponent {
  const { settings, peers, workloads } = system;
  const port = containerPortOf(workload, workload.ports[0].name);
  const configFile = paths(settings.root).config("prometheus.yml");
  const rulesFile = paths(settings.root).config("prometheus-rules.yml");
  const storagePath = paths(settings.root).data("prometheus");
  const args = [
    ...prometheusArgs({ workloads, configFile, storagePath, retention: "1d" }),
    `--web.listen-address=127.0.0.1:${port}`,
  ];
  return {
    workload,
    recipe: "prometheus",
    spec: spec(settings, workload, findExecutable("prometheus")!, args, {}),
    ready: httpReady(workload),
    url: `${settings.publicOrigin}/prometheus/`,
    prepare() {
      ownedDir(storagePath, settings);
      writeConfig(settings, "prometheus-rules.yml", renderAlertRules());
      writeConfig(
        settings,
        "prometheus.yml",
        renderPrometheusConfig({ workloads, peers, discovery: { kind: "static" }, ruleFiles: [rulesFile] }),
      );
    },
  };
}

function blackbox(system: Omit<LocalSystem, "components">, workload: Workload): LocalComponent {
  const { settings } = system;
  const port = containerPortOf(workload, "http");
  const configFile = paths(settings.root).config("blackbox.yml");
  return {
    workload,
    recipe: "blackbox",
    spec: spec(
      settings,
      workload,
      findExecutable("prometheus-blackbox-exporter")!,
      [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`],
      {},
    ),
    ready: httpReady(workload),
    url: `http://127.0.0.1:${port}/`,
    prepare() {
      writeConfig(settings, "blackbox.yml", renderBlackboxConfig());
    },
  };
}

const RECIPES: Record<
  LocalRecipe,
  (system: Omit<LocalSystem, "components">, workload: Workload) => LocalComponent
> = {
  "node-service": nodeService,
  postgres,
  nats,
  nginx,
  prometheus,
  blackbox,
};

/** The whole local system for these settings. Fails first with the system packages that are missing. */
export function localSystem(settings: LocalSettings): LocalSystem {
  const workloads = localWorkloads(catalog);
  const missing = missingSystemPackages(workloads.map((w) => localRecipeOf(w)!));
  if (missing) throw new Error(missing);
  const peers = loopbackPeerAddresses(workloads, settings.publicOrigin);
  const base = { settings, workloads, peers, edgePortOverrides: new Map<string, number>() };
  return { ...base, components: workloads.map((w) => RECIPES[localRecipeOf(w)!](base, w)) };
}

/** One readiness check of a component. */
export async function checkReady(check: ReadyCheck): Promise<boolean> {
  if (check.kind === "http") {
    try {
      const response = await fetch(check.url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }
  if (check.kind === "command") {
    return new Promise((resolvePromise) => {
      execFile(check.command, check.args, { timeout: 5000 }, (error) => resolvePromise(!error));
    });
  }
  if (check.kind === "tcp") {
    return new Promise((resolvePromise) => {
      const socket = connect({ host: "127.0.0.1", port: check.port });
      socket.setTimeout(2000);
      socket.once("connect", () => {
        socket.destroy();
        resolvePromise(true);
      });
      socket.once("error", () => resolvePromise(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolvePromise(false);
      });
    });
  }
  return false;
}
