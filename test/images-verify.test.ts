/**
 * The image verifier against fixture images: one that follows the conventions passes every check, and
 * each deliberately broken one fails the check its defect belongs to. The images build for real on the
 * stand-in base with Docker, and the containers run with the pod's hardening.
 */
import { expect } from "chai";
import { once } from "node:events";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { loopbackPeerAddresses } from "../components/catalog";
import { DockerEngine, ensureDockerEngine } from "../scripts/images-verify/docker-engine";
import { baseImageProblems } from "../scripts/images-verify/dockerfile-base";
import { freePort, planListenPorts } from "../scripts/images-verify/listen-ports";
import { anyFailure, renderReport } from "../scripts/images-verify/report";
import { ensureStandInBase } from "../scripts/images-verify/stand-in-base";
import { ImageReport, ImageTarget, verifyImages } from "../scripts/images-verify/verify";
import { fixtureBuild, fixtureWorkload } from "./fixtures/images/fixture-workload";

const REPO_ROOT = resolve(__dirname, "..");

describe("images:verify Dockerfile base check", () => {
  it("accepts every FROM that takes BASE_IMAGE or names an earlier stage", () => {
    const dockerfile = [
      "# syntax comment",
      "ARG BASE_IMAGE=node:22-bookworm-slim",
      "FROM ${BASE_IMAGE} AS build",
      "RUN npm ci \\",
      "  && npm run build",
      "FROM $BASE_IMAGE",
      "COPY --from=build /app /app",
    ].join("\n");
    expect(baseImageProblems(dockerfile)).to.deep.equal([]);
  });

  it("names the line of a FROM with a fixed image", () => {
    const dockerfile = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS build\nFROM node:22-bookworm-slim\n";
    expect(baseImageProblems(dockerfile)).to.deep.equal([
      "line 3: FROM node:22-bookworm-slim does not take its base from ARG BASE_IMAGE",
    ]);
  });

  it("requires the ARG before the first FROM, where FROM can see it", () => {
    const [problem] = baseImageProblems("FROM ${BASE_IMAGE}\nARG BASE_IMAGE\n");
    expect(problem).to.contain("no ARG BASE_IMAGE is declared before the first FROM");
  });

  it("does not let a stage named like its own base pass", () => {
    expect(baseImageProblems("FROM base AS base\n")).to.have.length(1);
  });
});

describe("images:verify listen ports", () => {
  it("moves a container off a busy catalog port through the env variable that carries it", async () => {
    const busy = createServer().listen({ port: 0, host: "0.0.0.0" });
    await once(busy, "listening");
    const port = (busy.address() as { port: number }).port;
    try {
      const workload = fixtureWorkload("busy-port", port);
      const plan = await planListenPorts(
        workload,
        loopbackPeerAddresses([workload], "http://localhost:8080"),
      );
      expect(plan.ports.http).to.not.equal(port);
      expect(plan.envOverrides).to.deep.equal({ FIXTURE_PORT: String(plan.ports.http) });
      expect(plan.notes[0]).to.contain(`port ${port} is busy`);
      expect(plan.problem).to.equal(undefined);

      const silent = { ...workload, env: () => ({}) };
      const stuck = await planListenPorts(silent, loopbackPeerAddresses([silent], "http://localhost:8080"));
      expect(stuck.problem).to.contain(`port ${port} (http) is busy on this host and no env variable`);
    } finally {
      busy.close();
    }
  });
});

describe("images:verify on fixture images (Docker)", function () {
  // The first run on a machine builds the stand-in base with debootstrap.
  this.timeout(600_000);
  const fixtures = [
    "follows-conventions",
    "forgets-base-arg",
    "runs-as-root",
    "writes-outside-tmp",
    "declares-volume",
    "ignores-sigterm",
    "exceeds-app-layer-target",
  ];
  const reports = new Map<string, ImageReport>();
  let allReports: ImageReport[] = [];
  let engine: DockerEngine | undefined;

  before(async () => {
    engine = await ensureDockerEngine();
    const base = await ensureStandInBase();
    const targets: ImageTarget[] = [];
    for (const name of fixtures) {
      targets.push({
        workload: fixtureWorkload(name, await freePort()),
        build: fixtureBuild(name),
        tag: `traderx-fixture/${name}:stand-in`,
      });
    }
    allReports = await verifyImages(targets, {
      repoRoot: REPO_ROOT,
      baseImage: base.tag,
      system: targets.map((t) => t.workload),
      noCache: false,
      publicOrigin: "http://localhost:8080",
      log: () => undefined,
    });
    for (const report of allReports) reports.set(report.name, report);
  });

  after(() => engine?.stopIfStartedHere());

  it("passes every check for an image that follows the conventions", () => {
    const { checks, sizeBytes, appLayerBytes, buildSeconds, rebuildSeconds } =
      reports.get("follows-conventions")!;
    for (const name of ["build", "size", "start", "health", "uid", "write", "shutdown"] as const) {
      expect(checks[name], `${name}: ${checks[name]?.detail}`).to.include({ ok: true });
    }
    expect(checks.uid!.detail).to.contain("all uid 1000");
    expect(sizeBytes).to.be.greaterThan(appLayerBytes!);
    expect(appLayerBytes).to.be.lessThan(1e6);
    expect(buildSeconds).to.be.a("number");
    expect(rebuildSeconds).to.be.a("number");
  });

  it("fails the build of a Dockerfile that does not take its base from ARG BASE_IMAGE", () => {
    const { build } = reports.get("forgets-base-arg")!.checks;
    expect(build).to.include({ ok: false });
    expect(build!.detail).to.contain("FROM node:22-bookworm-slim does not take its base from ARG BASE_IMAGE");
  });

  it("fails the uid check of an image that runs as root, and does not run it", () => {
    const { checks } = reports.get("runs-as-root")!;
    expect(checks.uid).to.include({ ok: false });
    expect(checks.uid!.detail).to.contain("runs as root (USER not set)");
    expect(checks.start).to.equal(undefined);
  });

  it("fails the write check of an image whose app writes outside /tmp", () => {
    const { checks } = reports.get("writes-outside-tmp")!;
    expect(checks.write).to.include({ ok: false });
    expect(checks.write!.detail).to.match(
      /tried to write on the read-only root:[\s\S]*\/home\/node\/state\.json/,
    );
  });

  it("fails the write check of an image that declares a volume", () => {
    const { checks } = reports.get("declares-volume")!;
    expect(checks.write).to.include({ ok: false });
    expect(checks.write!.detail).to.contain("declares VOLUME /home/node/data");
  });

  it("fails the shutdown check of an image that does not exit on SIGTERM", () => {
    const { checks } = reports.get("ignores-sigterm")!;
    for (const name of ["start", "health", "uid", "write"] as const)
      expect(checks[name]).to.include({ ok: true });
    expect(checks.shutdown).to.include({ ok: false });
    expect(checks.shutdown!.detail).to.contain("still running 5 s after SIGTERM");
  });

  it("fails the size check of an image that adds more than 40 MB to its base, and still runs it", () => {
    const { checks, appLayerBytes } = reports.get("exceeds-app-layer-target")!;
    expect(appLayerBytes).to.be.greaterThan(40e6);
    expect(checks.size).to.include({ ok: false });
    expect(checks.size!.detail).to.match(/^app layer 41\.\d MB is over the 40 MB target$/);
    for (const name of ["build", "start", "health", "uid", "write", "shutdown"] as const)
      expect(checks[name]).to.include({ ok: true });
  });

  it("reports every failure and makes the run fail", () => {
    const text = renderReport(allReports, {
      baseImage: "stand-in",
      baseSizeBytes: 0,
      cold: false,
      skipped: [],
    });
    expect(anyFailure(allReports)).to.equal(true);
    for (const line of [
      "FAIL forgets-base-arg build",
      "FAIL runs-as-root uid",
      "FAIL writes-outside-tmp write",
      "FAIL declares-volume write",
      "FAIL ignores-sigterm shutdown",
      "FAIL exceeds-app-layer-target size",
    ]) {
      expect(text).to.contain(line);
    }
    expect(text).to.not.contain("FAIL follows-conventions");
  });
});
