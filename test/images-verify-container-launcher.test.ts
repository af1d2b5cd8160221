/**
 * The local runtime's container launcher on a real fixture image: it runs the workload's stand-in image
 * with the pod's hardening, passes the catalog env but not the host's paths, stops it on SIGTERM, and
 * reports a Job's exit status.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Workload } from "../components/catalog";
import { DockerEngine, docker, ensureDockerEngine } from "../scripts/images-verify/docker-engine";
import { buildImage, standInImageTag } from "../scripts/images-verify/image-build";
import { freePort } from "../scripts/images-verify/listen-ports";
import { ensureStandInBase } from "../scripts/images-verify/stand-in-base";
import { containerLauncher, containerName } from "../scripts/local-runtime/container-launcher";
import { LaunchSpec } from "../scripts/local-runtime/launcher";
import { fixtureBuild, fixtureWorkload } from "./fixtures/images/fixture-workload";

const REPO_ROOT = resolve(__dirname, "..");

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

describe("local runtime container launcher (Docker)", function () {
  this.timeout(600_000);
  let dir: string;
  let port: number;
  let workload: Workload;
  let engine: DockerEngine | undefined;
  const specFor = (name: string, env: Record<string, string>): LaunchSpec => ({
    name,
    workload,
    command: "(unused by the container launcher)",
    args: [],
    // What the process launcher's env carries besides the catalog env: host paths.
    env: { PATH: "/host/bin", HOME: join(dir, "home"), TMPDIR: join(dir, "tmp"), ...env },
    cwd: dir,
    logFile: join(dir, `${name}.log`),
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "traderx-launcher-"));
    port = await freePort();
    workload = fixtureWorkload("launcher-fixture", port);
    engine = await ensureDockerEngine();
    const base = await ensureStandInBase();
    await buildImage(REPO_ROOT, fixtureBuild("follows-conventions"), base.tag, standInImageTag(workload));
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await engine?.stopIfStartedHere();
  });

  it("runs the image as the pod would and stops it on SIGTERM", async () => {
    const spec = specFor("launcher-fixture", { FIXTURE_PORT: String(port) });
    const record = containerLauncher.start(spec);
    try {
      const deadline = Date.now() + 30_000;
      while (!(await answers(`http://127.0.0.1:${port}/health`))) {
        expect(containerLauncher.isRunning(record), readFileSync(spec.logFile, "utf8")).to.equal(true);
        expect(Date.now()).to.be.lessThan(deadline);
        await new Promise((r) => setTimeout(r, 200));
      }
      const [config] = JSON.parse(await docker(["inspect", containerName(spec)])) as {
        Config: { User: string; Env: string[] };
        HostConfig: {
          ReadonlyRootfs: boolean;
          CapDrop: string[];
          SecurityOpt: string[];
          NetworkMode: string;
        };
      }[];
      expect(config.Config.User).to.equal("1000");
      expect(config.HostConfig).to.deep.include({ ReadonlyRootfs: true, NetworkMode: "host" });
      expect(config.HostConfig.CapDrop).to.deep.equal(["ALL"]);
      expect(config.HostConfig.SecurityOpt).to.deep.equal(["no-new-privileges"]);
      expect(config.Config.Env).to.include(`FIXTURE_PORT=${port}`);
      expect(config.Config.Env.filter((e) => e.includes(dir) || e === "PATH=/host/bin")).to.deep.equal([]);
    } finally {
      await containerLauncher.stop(record, "SIGTERM", 10_000);
    }
    expect(containerLauncher.isRunning(record)).to.equal(false);
    expect(await answers(`http://127.0.0.1:${port}/health`)).to.equal(false);
  });

  it("runs a Job to completion and returns its exit status, with its output in the log", async () => {
    const spec = specFor("launcher-fixture-job", {
      ...{ FIXTURE_PORT: String(port) },
      FIXTURE_STATE_FILE: "/home/node/state.json",
    });
    const status = await containerLauncher.runToCompletion(spec, 30_000);
    expect(status).to.equal(1);
    expect(readFileSync(spec.logFile, "utf8")).to.contain("EROFS");
  });
});
