/**
 * Starts, stops and reports the local runtime. Start order follows the catalog's tiers: the database and
 * the broker, then the migrations Job (run to completion), then every service at once, then the edge and
 * the observability processes; each phase waits for its components' readiness checks. The end is the
 * readiness gate through the edge, then the URLs, or the component that failed with the tail of its log.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { containerPortOf } from "../../components/catalog";
import { readinessTargets, runReadinessGate, GateTiming } from "../readiness/gate";
import { LocalComponent, LocalSystem, checkReady, localSystem } from "./components";
import { LocalSettings, localSettings, paths } from "./layout";
import { ComponentRecord, Launcher, launcherOf, processLauncher } from "./launcher";

export interface RuntimeState {
  root: string;
  edgePort: number;
  components: ComponentRecord[];
}

/** Chooses the launcher of each component; the default runs every one as a host process. */
export type LauncherChoice = (component: LocalComponent) => Launcher;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function readState(root: string): RuntimeState | undefined {
  const file = paths(root).state;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as RuntimeState;
}

function writeState(state: RuntimeState): void {
  const file = paths(state.root).state;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function tailOf(file: string, lines = 25): string {
  if (!existsSync(file)) return "(no log file)";
  const all = readFileSync(file, "utf8").trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}

/** Start phases: stores and broker, then run-to-completion Jobs, then services, then edge and observability. */
export function startPhases(components: readonly LocalComponent[]): LocalComponent[][] {
  const phaseOf = (c: LocalComponent): number => {
    if (c.workload.kind === "Job") return 1;
    if (c.recipe === "postgres" || c.recipe === "nats") return 0;
    if (c.recipe === "node-service") return 2;
    return 3;
  };
  const phases: LocalComponent[][] = [[], [], [], []];
  for (const c of components) phases[phaseOf(c)].push(c);
  return phases.filter((p) => p.length > 0);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once("error", () => resolvePromise(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePromise(true)));
  });
}

/** Every loopback port the system will listen on that something else already holds. */
export async function busyPorts(system: LocalSystem): Promise<string[]> {
  const wanted = system.components.flatMap((c) =>
    c.recipe === "nginx"
      ? [{ name: c.workload.name, port: system.settings.edgePort }]
      : c.workload.ports.map((p) => ({
          name: `${c.workload.name}/${p.name}`,
          port: containerPortOf(c.workload, p.name),
        })),
  );
  const busy: string[] = [];
  for (const w of wanted) if (!(await portIsFree(w.port))) busy.push(`${w.port} (${w.name})`);
  return busy;
}

export class ComponentFailure extends Error {
  constructor(
    readonly component: string,
    reason: string,
    readonly logFile: string,
  ) {
    super(`${component}: ${reason}`);
  }
}

export interface RuntimeOptions {
  settings?: LocalSettings;
  launcherFor?: LauncherChoice;
  /** Progress lines; stdout by default. */
  log?: (line: string) => void;
}

/** A running (or starting) local system, held in memory by `local:up`, the fault tests and the benchmark. */
export class LocalRuntime {
  readonly system: LocalSystem;
  readonly state: RuntimeState;
  /** Milliseconds from process start to the first passing readiness check, per component (last start). */
  readonly readyAfterMs = new Map<string, number>();
  private readonly launcherFor: LauncherChoice;
  private readonly log: (line: string) => void;

  constructor(options: RuntimeOptions = {}) {
    const settings = options.settings ?? localSettings();
    this.system = localSystem(settings);
    this.launcherFor = options.launcherFor ?? (() => processLauncher);
    this.log = options.log ?? ((line) => console.log(line));
    this.state = { root: settings.root, edgePort: settings.edgePort, components: [] };
  }

  /** A runtime object for the system already started in `settings.root` (by `local:up`). */
  static attach(options: RuntimeOptions = {}): LocalRuntime {
    const runtime = new LocalRuntime(options);
    const state = readState(runtime.settings.root);
    if (!state || state.components.length === 0) {
      throw new Error(`nothing is running in ${runtime.settings.root}; start it with \`npm run local:up\``);
    }
    runtime.state.components = state.components;
    return runtime;
  }

  get settings(): LocalSettings {
    return this.system.settings;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.settings.edgePort}`;
  }

  component(name: string): LocalComponent {
    const found = this.system.components.find((c) => c.workload.name === name);
    if (!found) throw new Error(`the local runtime has no component "${name}"`);
    return found;
  }

  record(name: string): ComponentRecord | undefined {
    return this.state.components.find((r) => r.name === name);
  }

  private prepareRoot(): void {
    const { root, user } = this.settings;
    for (const dir of [
      root,
      `${root}/logs`,
      `${root}/data`,
      `${root}/config`,
      `${root}/run`,
      `${root}/tmp`,
    ]) {
      mkdirSync(dir, { recursive: true });
      if (user) chownSync(dir, user.uid, user.gid);
    }
  }

  /** Starts one component and waits for its readiness check; throws a ComponentFailure otherwise. */
  async startComponent(component: LocalComponent): Promise<void> {
    const started = Date.now();
    const { name } = component.workload;
    try {
      component.prepare();
    } catch (error) {
      throw new ComponentFailure(
        name,
        `could not prepare: ${(error as Error).message}`,
        component.spec.logFile,
      );
    }
    writeFileSync(component.spec.logFile, `--- started ${new Date().toISOString()}\n`, { flag: "a" });
    if (component.ready.kind === "exit") {
      const launcher = this.launcherFor(component);
      const status = await launcher.runToCompletion(component.spec, this.settings.startTimeoutMs);
      if (status !== 0) throw new ComponentFailure(name, `exited with ${status}`, component.spec.logFile);
      this.log(`  done   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return;
    }
    const launcher = this.launcherFor(component);
    const spawned = Date.now();
    const record = { ...launcher.start(component.spec), url: component.url };
    this.state.components = [...this.state.components.filter((r) => r.name !== name), record];
    writeState(this.state);
    for (;;) {
      // Ready only counts while our process lives: another one on the port would answer too.
      if ((await checkReady(component.ready)) && launcher.isRunning(record)) break;
      if (!launcher.isRunning(record))
        throw new ComponentFailure(name, "exited before it became ready", record.logFile);
      if (Date.now() - started > this.settings.startTimeoutMs) {
        throw new ComponentFailure(
          name,
          `not ready after ${this.settings.startTimeoutMs / 1000} s`,
          record.logFile,
        );
      }
      await sleep(200);
    }
    this.readyAfterMs.set(name, Date.now() - spawned);
    try {
      component.afterReady?.();
    } catch (error) {
      throw new ComponentFailure(
        name,
        `set-up after start failed: ${(error as Error).message}`,
        record.logFile,
      );
    }
    this.log(`  ready  ${name} (${((Date.now() - started) / 1000).toFixed(1)} s, pid ${record.pid})`);
  }

  /**
   * Starts everything. Resolves with the components that failed (empty when all are up); a failure of the
   * database, the broker or the migrations stops the start there, since nothing else can work without them.
   */
  async up(): Promise<ComponentFailure[]> {
    const running = readState(this.settings.root)?.components.filter((r) => launcherOf(r).isRunning(r)) ?? [];
    if (running.length > 0) {
      throw new Error(
        `the local runtime in ${this.settings.root} is already running (${running.map((r) => r.name).join(", ")}); ` +
          "stop it with `npm run local:down`",
      );
    }
    const busy = await busyPorts(this.system);
    if (busy.length > 0) {
      throw new Error(
        `ports already in use: ${busy.join(", ")}. Stop what holds them, or set TRADERX_LOCAL_PORT for the edge.`,
      );
    }
    this.prepareRoot();
    writeState(this.state);
    const failures: ComponentFailure[] = [];
    for (const phase of startPhases(this.system.components)) {
      this.log(`starting ${phase.map((c) => c.workload.name).join(", ")}`);
      const results = await Promise.allSettled(phase.map((c) => this.startComponent(c)));
      for (const result of results) {
        if (result.status === "rejected") {
          const failure =
            result.reason instanceof ComponentFailure
              ? result.reason
              : new ComponentFailure("local runtime", String(result.reason), "");
          failures.push(failure);
          this.log(`  FAILED ${failure.message}`);
        }
      }
      const foundational = phase.some((c) => c.recipe === "postgres" || c.workload.kind === "Job");
      if (failures.length > 0 && foundational) break;
    }
    return failures;
  }

  /** The readiness gate through the edge, over the local profile's targets. */
  async gate(timing: GateTiming): Promise<boolean> {
    const targets = readinessTargets(this.system.workloads, this.baseUrl);
    return (await runReadinessGate(targets, timing)).ready;
  }

  /** Stops one component with `signal` (SIGKILL for the fault tests) and waits until it is gone. */
  async stopComponent(name: string, signal: NodeJS.Signals = "SIGTERM", graceMs = 30_000): Promise<void> {
    const record = this.record(name);
    if (!record) return;
    await launcherOf(record).stop(record, signal, graceMs);
  }

  /**
   * Starts a second instance of a service on another port (a rolling update's surge pod). Its listen port
   * is the catalog env variable that carries the container port.
   */
  async startSurgeInstance(name: string, port: number): Promise<ComponentRecord> {
    const component = this.component(name);
    const httpPort = String(containerPortOf(component.workload, component.workload.ports[0].name));
    const portKey = Object.keys(component.spec.env).find(
      (k) => k.endsWith("_PORT") && component.spec.env[k] === httpPort,
    );
    if (!portKey || component.ready.kind !== "http") {
      throw new Error(
        `${name} has no *_PORT variable or HTTP readiness check, so it cannot run a second instance`,
      );
    }
    const surge = `${name}-surge`;
    const spec = {
      ...component.spec,
      name: surge,
      env: { ...component.spec.env, [portKey]: String(port) },
      logFile: paths(this.settings.root).log(surge),
    };
    const launcher = this.launcherFor(component);
    const record = launcher.start(spec);
    this.state.components.push(record);
    writeState(this.state);
    const readyUrl = new URL(component.ready.url);
    readyUrl.port = String(port);
    const started = Date.now();
    while (!(await checkReady({ kind: "http", url: readyUrl.toString() }))) {
      if (!launcher.isRunning(record))
        throw new ComponentFailure(surge, "exited before it became ready", spec.logFile);
      if (Date.now() - started > this.settings.startTimeoutMs)
        throw new ComponentFailure(surge, "not ready in time", spec.logFile);
      await sleep(200);
    }
    return record;
  }

  /** Re-renders the edge config (with the current port overrides) and has nginx reload it gracefully. */
  async reloadEdge(): Promise<void> {
    this.component("edge-proxy").prepare();
    const record = this.record("edge-proxy");
    if (!record) throw new Error("the edge is not running");
    launcherOf(record).signal(record, "SIGHUP");
    // nginx starts new workers with the new config and lets the old ones finish their requests.
    await sleep(1000);
  }

  /** Stops a record that is not a catalog component (a surge instance) and forgets it. */
  async stopRecord(record: ComponentRecord, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await launcherOf(record).stop(record, signal, 30_000);
    this.state.components = this.state.components.filter((r) => r !== record);
    writeState(this.state);
  }

  /** Starts every long-running component that is not running (after a crash); returns their names. */
  async startExited(): Promise<string[]> {
    const exited = this.system.components.filter((c) => {
      if (c.ready.kind === "exit") return false;
      const record = this.record(c.workload.name);
      return !record || !launcherOf(record).isRunning(record);
    });
    for (const component of exited) await this.startComponent(component);
    return exited.map((c) => c.workload.name);
  }

  async restartComponent(name: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stopComponent(name, signal);
    await this.startComponent(this.component(name));
  }

  async down(): Promise<void> {
    await stopRecorded(this.state, this.log);
  }
}

/** Stops every recorded component, newest first, by its pid; used by `local:down` from a fresh process. */
export async function stopRecorded(state: RuntimeState, log: (line: string) => void): Promise<void> {
  for (const record of [...state.components].reverse()) {
    const launcher = launcherOf(record);
    if (!launcher.isRunning(record)) continue;
    await launcher.stop(record, "SIGTERM", 30_000);
    log(`  stopped ${record.name} (pid ${record.pid})`);
  }
  state.components = [];
  writeState(state);
}
