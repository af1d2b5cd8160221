/**
 * The image verification: build every target twice (the second time with nothing changed, to measure
 * the warm rebuild), check each image's base, user and volumes, then run them together against a local
 * PostgreSQL and NATS the way their pods run, and check start, health, uid, writes and shutdown.
 */
import {
  ImageBuild,
  PeerAddresses,
  Workload,
  databaseEnv,
  databaseSecretEnv,
  deriveRolePassword,
  loopbackPeerAddresses,
} from "../../components/catalog";
import {
  startNats,
  startPostgres,
  type TestNats,
  type TestPostgres,
} from "../../images/service-lib/src/testing";
import {
  CheckOutcomes,
  ContainerRun,
  finishRunning,
  runToCompletion,
  startRunning,
} from "./container-checks";
import {
  appLayerCheck,
  buildImage,
  ImageFacts,
  imageProblems,
  inspectImage,
  uidOfImageUser,
} from "./image-build";
import { ListenPlan, planListenPorts, withPorts } from "./listen-ports";

export interface ImageTarget {
  workload: Workload;
  build: ImageBuild;
  /** Tag the verified image gets. */
  tag: string;
}

export interface ImageReport {
  name: string;
  tag: string;
  sizeBytes?: number;
  /** Image size minus the stand-in base's. */
  appLayerBytes?: number;
  buildSeconds?: number;
  rebuildSeconds?: number;
  checks: CheckOutcomes;
}

export interface VerifyOptions {
  repoRoot: string;
  /** Tag of the stand-in given as BASE_IMAGE. */
  baseImage: string;
  /** Every workload of the system, for peer addresses and database roles. */
  system: readonly Workload[];
  /** Build without the layer cache in the first pass (cold build figures). */
  noCache: boolean;
  /** Browser origin the services are told about (CORS). */
  publicOrigin: string;
  log(line: string): void;
}

export function hasFailure(report: ImageReport): boolean {
  return Object.values(report.checks).some((outcome) => !outcome.ok);
}

async function buildAll(
  targets: ImageTarget[],
  reports: ImageReport[],
  options: VerifyOptions,
): Promise<void> {
  const build = async (index: number, pass: "buildSeconds" | "rebuildSeconds") => {
    const target = targets[index];
    options.log(`${pass === "buildSeconds" ? "build" : "warm rebuild"}: ${target.workload.name}`);
    try {
      reports[index][pass] = await buildImage(options.repoRoot, target.build, options.baseImage, target.tag, {
        noCache: options.noCache && pass === "buildSeconds",
      });
    } catch (error) {
      reports[index].checks.build = { ok: false, detail: (error as Error).message };
    }
  };
  for (const index of targets.keys()) await build(index, "buildSeconds");
  for (const index of targets.keys()) if (!hasFailure(reports[index])) await build(index, "rebuildSeconds");
}

/**
 * Sizes, base, user and volumes of each built image. Returns the uid each image runs as; an image over
 * the size target still runs, so that its other checks are reported too.
 */
async function inspectAll(
  targets: ImageTarget[],
  reports: ImageReport[],
  base: ImageFacts,
): Promise<Map<ImageTarget, number>> {
  const uids = new Map<ImageTarget, number>();
  for (const [index, target] of targets.entries()) {
    const report = reports[index];
    if (hasFailure(report)) continue;
    const image = await inspectImage(target.tag);
    report.sizeBytes = image.sizeBytes;
    report.appLayerBytes = image.sizeBytes - base.sizeBytes;
    report.checks.size = appLayerCheck(report.appLayerBytes);
    const uid = image.user ? await uidOfImageUser(target.tag, image.user) : undefined;
    const problems = imageProblems(image, base, uid, target.workload.runAsUser);
    for (const { check, detail } of problems) report.checks[check] = { ok: false, detail };
    report.checks.build ??= { ok: true, detail: "built on the stand-in base" };
    if (problems.length === 0 && uid !== undefined) uids.set(target, uid);
  }
  return uids;
}

interface Backing {
  postgres?: TestPostgres;
  nats?: TestNats;
}

/** Local PostgreSQL and NATS, only when a workload to run needs them. */
async function startBacking(workloads: Workload[], log: (line: string) => void): Promise<Backing> {
  const backing: Backing = {};
  if (workloads.some((w) => w.database)) {
    backing.postgres = await startPostgres();
    log(`backing: PostgreSQL on 127.0.0.1:${backing.postgres.port}`);
  }
  if (workloads.some((w) => w.calls.includes("nats-broker"))) {
    backing.nats = await startNats();
    log(`backing: nats-server (JetStream) on 127.0.0.1:${backing.nats.port}`);
  }
  return backing;
}

/** The env of a workload's pod: its catalog env, its database env and its role passwords. */
function podEnv(
  workload: Workload,
  peers: PeerAddresses,
  system: readonly Workload[],
  ownerPassword: string,
): Record<string, string> {
  const passwords = Object.fromEntries(
    Object.entries(databaseSecretEnv(workload, system)).map(([name, role]) => [
      name,
      deriveRolePassword(ownerPassword, role),
    ]),
  );
  return { ...workload.env(peers), ...databaseEnv(workload, peers, system), ...passwords };
}

async function runAll(
  targets: ImageTarget[],
  reports: ImageReport[],
  uids: Map<ImageTarget, number>,
  options: VerifyOptions,
): Promise<void> {
  const runnable = targets.filter((target) => uids.has(target));
  if (runnable.length === 0) return;
  const backing = await startBacking(
    runnable.map((t) => t.workload),
    options.log,
  );
  try {
    const catalogPeers = loopbackPeerAddresses(options.system, options.publicOrigin);
    const ports = new Map<string, Record<string, number>>();
    if (backing.postgres) ports.set("database", { postgres: backing.postgres.port });
    if (backing.nats) ports.set("nats-broker", { client: backing.nats.port });
    const plans = new Map<ImageTarget, ListenPlan>();
    for (const target of runnable) {
      const plan = await planListenPorts(target.workload, catalogPeers);
      plan.notes.forEach(options.log);
      plans.set(target, plan);
      ports.set(target.workload.name, plan.ports);
    }
    const peers = withPorts(catalogPeers, ports);
    const runOf = (target: ImageTarget): ContainerRun => {
      const plan = plans.get(target)!;
      return {
        workload: target.workload,
        tag: target.tag,
        uid: uids.get(target)!,
        env: {
          ...podEnv(target.workload, peers, options.system, backing.postgres?.config.password ?? ""),
          ...plan.envOverrides,
        },
        ports: plan.ports,
      };
    };
    const reportOf = (target: ImageTarget) => reports[targets.indexOf(target)];

    for (const target of runnable.filter((t) => t.workload.kind === "Job")) {
      options.log(`run to completion: ${target.workload.name}`);
      await runToCompletion(runOf(target), reportOf(target).checks);
    }
    const services = runnable.filter((t) => t.workload.kind !== "Job");
    for (const target of services) {
      const problem = plans.get(target)!.problem;
      if (problem) reportOf(target).checks.start = { ok: false, detail: problem };
    }
    const startable = services.filter((target) => !plans.get(target)!.problem);
    options.log(`run: ${startable.map((t) => t.workload.name).join(", ")}`);
    const ids = await Promise.all(
      startable.map((target) => startRunning(runOf(target), reportOf(target).checks)),
    );
    options.log("stop: SIGTERM to every container");
    await Promise.all(
      startable.map((target, index) => {
        const id = ids[index];
        return id ? finishRunning(runOf(target), id, reportOf(target).checks) : undefined;
      }),
    );
  } finally {
    await backing.postgres?.remove();
    await backing.nats?.remove();
  }
}

export async function verifyImages(targets: ImageTarget[], options: VerifyOptions): Promise<ImageReport[]> {
  const reports: ImageReport[] = targets.map((t) => ({ name: t.workload.name, tag: t.tag, checks: {} }));
  await buildAll(targets, reports, options);
  const base = await inspectImage(options.baseImage);
  const uids = await inspectAll(targets, reports, base);
  await runAll(targets, reports, uids, options);
  return reports;
}
