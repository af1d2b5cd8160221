/**
 * The local runtime's parts, with the real tools: the process launcher on real processes, the edge config
 * served by the real nginx on a free port, the NATS and Prometheus configs checked by nats-server and
 * promtool. The whole runtime (every service, PostgreSQL, NATS on the catalog ports) runs in `test:e2e`.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  deriveRolePassword,
  serviceDatabaseRoles,
  catalog,
  rolePasswordEnvName,
} from "../components/catalog";
import {
  LocalSystem,
  checkReady,
  localSystem,
  missingSystemPackages,
  renderLocalNatsConf,
  workloadEnv,
} from "../scripts/local-runtime/components";
import { stopDockerdStartedByUp } from "../scripts/local-runtime/container-launcher";
import { LocalSettings, localSettings, paths } from "../scripts/local-runtime/layout";
import { ComponentRecord, processAlive, processLauncher } from "../scripts/local-runtime/launcher";
import { startPhases } from "../scripts/local-runtime/runtime";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("local runtime", function () {
  this.timeout(30_000);
  let root: string;
  let settings: LocalSettings;
  let system: LocalSystem;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "local-runtime-test-"));
    // The runtime user (when root) must be able to reach the folder.
    chmodSync(root, 0o755);
    settings = localSettings({ TRADERX_LOCAL_DIR: root, TRADERX_LOCAL_PORT: String(await freePort()) });
    system = localSystem(settings);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  describe("settings", () => {
    it("rejects a bad port or entry with the key and the fix", () => {
      expect(() => localSettings({ TRADERX_LOCAL_PORT: "80a" })).to.throw(
        /TRADERX_LOCAL_PORT="80a" must be a whole number/,
      );
      expect(() => localSettings({ TRADERX_LOCAL_SERVICE_ENTRY: "jar" })).to.throw(
        /TRADERX_LOCAL_SERVICE_ENTRY="jar"/,
      );
    });
  });

  describe("plan", () => {
    it("starts stores and broker, then the migrations, then services, then edge and observability", () => {
      const phases = startPhases(system.components).map((p) => p.map((c) => c.workload.name));
      expect(phases[0]).to.have.members(["database", "nats-broker"]);
      expect(phases[1]).to.deep.equal(["database-migrations"]);
      expect(phases[2]).to.include.members(["account-service", "trade-processor", "web-front-end"]);
      expect(phases[3]).to.include.members(["edge-proxy", "prometheus", "blackbox-exporter"]);
      expect(phases.flat()).not.to.include.members(["grafana"]);
    });

    it("names every missing system package with the command that installs it", () => {
      const empty = mkdtempSync(join(tmpdir(), "no-programs-"));
      try {
        const message = missingSystemPackages(
          ["postgres", "nats", "nginx", "prometheus", "blackbox", "node-service"],
          {
            binDirs: [empty],
            postgresBase: empty,
          },
        );
        expect(message).to.equal(
          "missing system packages: postgresql nats-server nginx prometheus prometheus-blackbox-exporter\n" +
            "install them with: sudo apt-get update && sudo apt-get install -y postgresql nats-server nginx " +
            "prometheus prometheus-blackbox-exporter",
        );
        expect(missingSystemPackages(["nats", "nginx"])).to.equal(undefined);
      } finally {
        rmSync(empty, { recursive: true });
      }
    });
  });

  describe("environment", () => {
    it("gives a service its catalog env, loopback peers and its derived role password", () => {
      const account = system.components.find((c) => c.workload.name === "account-service")!;
      const env = workloadEnv(account.workload, system.peers, settings);
      expect(env.PEOPLE_SERVICE_URL).to.equal("http://127.0.0.1:18089");
      expect(env.DATABASE_PG_HOST).to.equal("127.0.0.1");
      expect(env.DATABASE_DBUSER).to.equal("account_service");
      expect(env.DATABASE_DBPASS).to.equal(deriveRolePassword(settings.ownerPassword, "account_service"));
      expect(env.CORS_ALLOWED_ORIGINS).to.equal(settings.publicOrigin);
      // No collector runs locally, so nothing points a service at one.
      expect(env).not.to.have.property("OTEL_EXPORTER_OTLP_ENDPOINT");
    });

    it("gives the migrations the owner password and every service role's password", () => {
      const migrations = system.components.find((c) => c.workload.name === "database-migrations")!;
      const env = workloadEnv(migrations.workload, system.peers, settings);
      expect(env.DATABASE_DBPASS).to.equal(settings.ownerPassword);
      for (const role of serviceDatabaseRoles(catalog)) {
        expect(env[rolePasswordEnvName(role)]).to.equal(deriveRolePassword(settings.ownerPassword, role));
      }
    });
  });

  describe("process launcher", () => {
    const spec = (name: string, script: string) => ({
      ...system.components[0].spec,
      name,
      command: "bash",
      args: ["-c", script],
      env: { PATH: process.env.PATH! },
      cwd: root,
      logFile: join(root, `${name}.log`),
      user: undefined,
    });

    it("starts a detached process with its output in the log, and stops it with SIGTERM", async () => {
      const record = processLauncher.start(spec("sleeper", "echo started; exec sleep 30"));
      expect(processLauncher.isRunning(record)).to.equal(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(readFileSync(record.logFile, "utf8")).to.contain("started");
      await processLauncher.stop(record, "SIGTERM", 5_000);
      expect(processAlive(record.pid)).to.equal(false);
    });

    it("falls back to SIGKILL when the grace period passes", async () => {
      const record: ComponentRecord = processLauncher.start(
        spec("stubborn", "trap '' TERM; while :; do sleep 0.1; done"),
      );
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      await processLauncher.stop(record, "SIGTERM", 300);
      expect(processAlive(record.pid)).to.equal(false);
      expect(Date.now() - started).to.be.at.least(300);
    });

    it("local:down stops the dockerd local:up recorded as started, once, and no other process", async () => {
      // A stand-in for dockerd: `sleep` under that name, stopped by its recorded pid alone, as from a fresh
      // local:down process.
      const standIn = join(root, "bin", "dockerd");
      mkdirSync(dirname(standIn), { recursive: true });
      copyFileSync(spawnSync("sh", ["-c", "command -v sleep"]).stdout.toString().trim(), standIn);
      const daemon = processLauncher.start(spec("dockerd-stand-in", `exec ${standIn} 30`));
      // bash runs first and becomes the stand-in at `exec`; the stop checks the program's name.
      const comm = () => readFileSync(`/proc/${daemon.pid}/comm`, "utf8").trim();
      for (let waited = 0; comm() !== "dockerd" && waited < 5_000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      mkdirSync(dirname(paths(root).dockerdPid), { recursive: true });
      writeFileSync(paths(root).dockerdPid, `${daemon.pid}\n`);
      const lines: string[] = [];
      expect(await stopDockerdStartedByUp(root, (line) => lines.push(line))).to.equal(true);
      expect(processAlive(daemon.pid)).to.equal(false);
      expect(lines.join("\n")).to.contain(`stopped dockerd (pid ${daemon.pid})`);
      expect(existsSync(paths(root).dockerdPid)).to.equal(false);
      // Nothing recorded (a daemon that was already running when up started): nothing to stop.
      expect(await stopDockerdStartedByUp(root, (line) => lines.push(line))).to.equal(false);
      // A recorded pid that another program holds by now is left alone.
      const bystander = processLauncher.start(spec("bystander", "exec sleep 30"));
      writeFileSync(paths(root).dockerdPid, `${bystander.pid}\n`);
      expect(await stopDockerdStartedByUp(root, (line) => lines.push(line))).to.equal(false);
      expect(processAlive(bystander.pid)).to.equal(true);
      await processLauncher.stop(bystander, "SIGKILL", 1_000);
    });
  });

  describe("rendered configs with the real tools", () => {
    it("nats.conf passes nats-server -t", () => {
      const nats = system.components.find((c) => c.workload.name === "nats-broker")!;
      const file = join(root, "nats-check.conf");
      writeFileSync(file, renderLocalNatsConf(nats.workload, join(root, "js")));
      const result = spawnSync(nats.spec.command, ["-c", file, "-t"], { encoding: "utf8" });
      expect(result.status, result.stderr + result.stdout).to.equal(0);
    });

    it("prometheus.yml and its rules pass promtool check config", () => {
      const prometheus = system.components.find((c) => c.workload.name === "prometheus")!;
      prometheus.prepare();
      const config = prometheus.spec.args.find((a) => a.startsWith("--config.file="))!.split("=")[1];
      const result = spawnSync("promtool", ["check", "config", config], { encoding: "utf8" });
      expect(result.status, result.stderr + result.stdout).to.equal(0);
    });

    it("the real nginx serves the edge: /health, a 503 for Grafana that says why, 502 for a stopped service", async () => {
      const edge = system.components.find((c) => c.workload.name === "edge-proxy")!;
      // Point reference-data at a port nothing listens on (the override the rolling-restart test uses).
      system.edgePortOverrides.set("reference-data", await freePort());
      edge.prepare();
      system.edgePortOverrides.clear();
      const record = processLauncher.start(edge.spec);
      try {
        const deadline = Date.now() + 10_000;
        while (!(await checkReady(edge.ready)) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        const base = `http://127.0.0.1:${settings.edgePort}`;
        expect((await fetch(`${base}/health`)).status).to.equal(200);
        const grafana = await fetch(`${base}/grafana/api/health`);
        expect(grafana.status).to.equal(503);
        expect(await grafana.text()).to.match(/grafana .*unavailable: the local runtime has no build of it/);
        expect((await fetch(`${base}/reference-data/health`)).status).to.equal(502);
      } finally {
        await processLauncher.stop(record, "SIGTERM", 5_000);
      }
    });
  });
});
