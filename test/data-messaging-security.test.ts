import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Workload, selectWorkloads, workloadByName } from "../components/catalog";
import { renderBackupScript, renderOwnerPasswordSync } from "../components/data/database";
import { renderNatsConfig } from "../components/messaging/nats-config";
import { NamedNetworkPolicy, renderNetworkPolicies } from "../components/security/network-policies";
import { freePort, httpGet, waitFor } from "./support/http";

const run = promisify(execFile);

/** A PostgreSQL server binary: on PATH where a machine links it there, else Debian's versioned folder. */
function postgresBinary(name: string): string {
  const onPath = (process.env.PATH ?? "").split(":").map((dir) => join(dir, name));
  const debian = ["17", "16", "15"].map((version) => `/usr/lib/postgresql/${version}/bin/${name}`);
  const found = [...onPath, ...debian].find((candidate) => existsSync(candidate));
  if (!found)
    throw new Error(`${name} not found: install the postgresql package (apt-get install postgresql)`);
  return found;
}

interface TestPostgres {
  dir: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A throw-away PostgreSQL run as the postgres user (it refuses root), owner `traderx`, with a `traderx`
 * database, its socket in `dir` and TCP on a free loopback port. `initdbOptions` choose the auth methods.
 */
async function startTestPostgres(name: string, initdbOptions: string[]): Promise<TestPostgres> {
  const asPostgres = (args: string[]) => run("runuser", ["-u", "postgres", "--", ...args]);
  const dir = await mkdtemp(join(tmpdir(), `traderx-${name}-`));
  await chmod(dir, 0o777);
  const port = await freePort();
  const data = join(dir, "data");
  await asPostgres([postgresBinary("initdb"), "-D", data, "-U", "traderx", ...initdbOptions]);
  await asPostgres([
    postgresBinary("pg_ctl"),
    ...["-D", data, "-w", "-l", join(dir, "postgres.log")],
    ...["-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"],
  ]);
  await run("psql", [
    "-h",
    dir,
    "-p",
    String(port),
    "-U",
    "traderx",
    "-d",
    "postgres",
    "-c",
    "CREATE DATABASE traderx",
  ]);
  return {
    dir,
    port,
    stop: async () => {
      await asPostgres([postgresBinary("pg_ctl"), "-D", data, "-m", "fast", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe("NATS config renderer with the real nats-server", function () {
  this.timeout(30_000);
  let dir: string;
  let server: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "traderx-nats-"));
  });
  afterEach(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("passes `nats-server -t` for the catalog's broker", async () => {
    const file = join(dir, "nats.conf");
    const conf = renderNatsConfig({
      broker: workloadByName("nats-broker"),
      storeDir: join(dir, "js"),
      maxFileStore: "1536MB",
      maxMemoryStore: "64MB",
    });
    await writeFile(file, conf);
    const { stderr } = await run("nats-server", ["-c", file, "-t"]);
    expect(stderr).to.contain("is valid");
    expect(conf).to.match(/websocket \{\n {2}port: 8081\n {2}no_tls: true\n\}/);
    expect(conf).to.contain("http_port: 8222");
  });

  it("serves JetStream health, /varz and a websocket that answers a plain GET with 400", async () => {
    const broker = workloadByName("nats-broker");
    const ports = { client: await freePort(), monitor: await freePort(), ws: await freePort() };
    const onFreePorts: Workload = {
      ...broker,
      ports: broker.ports.map((p) => ({ ...p, port: ports[p.name as keyof typeof ports] })),
    };
    const file = join(dir, "nats.conf");
    await writeFile(
      file,
      renderNatsConfig({
        broker: onFreePorts,
        storeDir: join(dir, "js"),
        maxFileStore: "64MB",
        maxMemoryStore: "16MB",
      }),
    );
    server = spawn("nats-server", ["-c", file], { stdio: "ignore" });
    const readiness = broker.probes!.readiness as { path: string };
    const health = await waitFor(async () => {
      const answer = await httpGet(ports.monitor, readiness.path);
      if (answer.status !== 200) throw new Error(`healthz ${answer.status}`);
      return answer;
    });
    expect(health.status).to.equal(200);
    const varz = JSON.parse((await httpGet(ports.monitor, "/varz")).body);
    expect(varz).to.include.keys(["server_id", "max_payload", "proto"]);
    expect(varz.jetstream.config.store_dir).to.contain(join(dir, "js"));
    expect((await httpGet(ports.ws, "/nats-ws")).status).to.equal(400);
  });
});

describe("backup script against a real PostgreSQL", function () {
  this.timeout(60_000);
  let postgres: TestPostgres;
  let dir: string;
  let port: number;

  before(async () => {
    postgres = await startTestPostgres("backup", ["--auth=trust"]);
    ({ dir, port } = postgres);
    await run("psql", [
      ...["-h", "127.0.0.1", "-p", String(port), "-U", "traderx", "-d", "traderx", "-c"],
      "CREATE TABLE accounts (id integer primary key, displayname varchar(50)); " +
        "INSERT INTO accounts VALUES (22214, 'Test Account 20')",
    ]);
  });
  after(() => postgres.stop());

  it("writes a restorable custom-format dump and keeps only the newest ones", async () => {
    const backups = join(dir, "backups");
    await run("mkdir", ["-p", backups]);
    // Three older dumps, oldest first.
    for (const [i, name] of ["traderx-a.dump", "traderx-b.dump", "traderx-c.dump"].entries()) {
      await writeFile(join(backups, name), "old");
      const when = new Date(Date.now() - (10 - i) * 86_400_000);
      await utimes(join(backups, name), when, when);
    }
    const { stdout } = await run("sh", ["-c", renderBackupScript(backups, 2)], {
      env: {
        ...process.env,
        PGHOST: "127.0.0.1",
        PGPORT: String(port),
        PGUSER: "traderx",
        PGDATABASE: "traderx",
      },
    });
    const written = /backup written: (\S+)/.exec(stdout)![1];
    const kept = (await readdir(backups)).sort();
    expect(kept).to.deep.equal(["traderx-c.dump", written.split("/").pop()!].sort());
    const listing = await run("pg_restore", ["--list", written]);
    expect(listing.stdout).to.contain("TABLE DATA public accounts");
  });

  it("fails, and keeps the old dumps, when the database cannot be reached", async () => {
    const backups = join(dir, "unreachable");
    await run("mkdir", ["-p", backups]);
    await writeFile(join(backups, "traderx-old.dump"), "old");
    let failed = false;
    await run("sh", ["-c", renderBackupScript(backups, 1)], {
      env: {
        ...process.env,
        PGHOST: "127.0.0.1",
        PGPORT: String(await freePort()),
        PGUSER: "traderx",
        PGDATABASE: "traderx",
      },
    }).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect((await readdir(backups)).filter((f) => f.endsWith(".dump"))).to.deep.equal(["traderx-old.dump"]);
  });
});

describe("owner password sync (the database's postStart hook) against a real PostgreSQL", function () {
  this.timeout(60_000);
  let postgres: TestPostgres;
  let dir: string;
  let port: number;
  /** Whether the owner can log in over TCP with this password. */
  const logsIn = (password: string) =>
    run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "traderx", "-d", "traderx", "-c", "SELECT 1"], {
      env: { ...process.env, PGPASSWORD: password },
    }).then(
      () => true,
      () => false,
    );

  before(async () => {
    // As the image initialises a volume: the owner gets POSTGRES_PASSWORD, the socket is trusted.
    const passwordFile = join(tmpdir(), `traderx-initial-password-${process.pid}`);
    await writeFile(passwordFile, "initial\n", { mode: 0o644 });
    postgres = await startTestPostgres("owner-password", [
      ...["--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256"],
    ]).finally(() => rm(passwordFile, { force: true }));
    ({ dir, port } = postgres);
  });
  after(() => postgres.stop());

  it("gives the owner the Secret's password, quotes and all, and says so in the log", async () => {
    expect(await logsIn("initial")).to.equal(true);
    const changed = `it's "rotated" $HOME \\ ;`;
    const log = join(dir, "sync.log");
    await run("sh", ["-c", renderOwnerPasswordSync()], {
      env: {
        ...process.env,
        PGHOST: dir,
        PGPORT: String(port),
        POSTGRES_PASSWORD: changed,
        OWNER_PASSWORD_SYNC_LOG: log,
      },
    });
    expect(await logsIn(changed)).to.equal(true);
    expect(await logsIn("initial")).to.equal(false);
    expect(await readFile(log, "utf8")).to.contain(
      "owner password sync: traderx has the password of the Secret",
    );
  });

  it("never fails the container: a refused change is logged and the hook still exits 0", async () => {
    const log = join(dir, "refused.log");
    // A read-only session refuses ALTER ROLE.
    const result = await run("sh", ["-c", renderOwnerPasswordSync()], {
      env: {
        ...process.env,
        PGHOST: dir,
        PGPORT: String(port),
        PGOPTIONS: "-c default_transaction_read_only=on",
        POSTGRES_PASSWORD: "refused",
        OWNER_PASSWORD_SYNC_LOG: log,
      },
    });
    expect(result.stderr).to.equal("");
    expect(await readFile(log, "utf8")).to.contain("owner password sync: failed; traderx keeps its password");
    expect(await logsIn("refused")).to.equal(false);
  });
});

describe("network policy renderer", () => {
  const everything = selectWorkloads({ observability: true });
  const render = (workloads: readonly Workload[]) =>
    renderNetworkPolicies({
      workloads,
      namespace: "traderx",
      instance: "traderx",
      namespaceOf: (w) => (w.nodeLogs ? "traderx-observability" : "traderx"),
      kubernetesApiClients: ["prometheus"],
    });
  const policy = (policies: NamedNetworkPolicy[], name: string) => {
    const found = policies.find((p) => p.name === name);
    if (!found) throw new Error(`no policy ${name}`);
    return found.spec;
  };
  const byName = (name: string) => ({
    podSelector: { matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": "traderx" } },
  });

  it("denies everything by default and allows DNS to kube-dns", () => {
    const policies = render(everything);
    expect(policy(policies, "default-deny")).to.deep.equal({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    expect(JSON.stringify(policy(policies, "allow-dns"))).to.contain('"k8s-app":"kube-dns"');
  });

  it("allows exactly a workload's calls out and its callers in, on container ports", () => {
    const account = policy(render(everything), "account-service-traffic");
    expect(account.egress).to.deep.include({
      to: [byName("database")],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
    expect(account.egress).to.deep.include({
      to: [byName("people-service")],
      ports: [{ protocol: "TCP", port: 18089 }],
    });
    const targets = account.egress!.map(
      (rule) => rule.to![0].podSelector!.matchLabels!["app.kubernetes.io/name"],
    );
    expect(targets).to.have.members(workloadByName("account-service").calls);
    const callers = account.ingress!.map(
      (rule) => rule.from![0].podSelector!.matchLabels!["app.kubernetes.io/name"],
    );
    expect(callers).to.include.members(["trade-service", "order-matcher", "edge-proxy", "prometheus"]);
    expect(callers).not.to.include("position-service");
  });

  it("opens the edge to any source and its upstreams on the port the pod listens on", () => {
    const edge = policy(render(everything), "edge-proxy-traffic");
    expect(edge.ingress).to.deep.include({ ports: [{ protocol: "TCP", port: 8080 }] });
    // api-explorer's Service listens on 8080 but its container on 18094: the policy must use 18094.
    expect(edge.egress).to.deep.include({
      to: [byName("api-explorer")],
      ports: [{ protocol: "TCP", port: 18094 }],
    });
  });

  it("selects callers in another namespace by namespace too, and lets Prometheus reach the API server", () => {
    const policies = render(everything);
    const loki = policy(policies, "loki-traffic");
    expect(loki.ingress).to.deep.include({
      from: [
        {
          ...byName("otel-log-agent"),
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traderx-observability" } },
        },
      ],
      ports: [
        { protocol: "TCP", port: 3100 },
        { protocol: "TCP", port: 9096 },
      ],
    });
    expect(policies.map((p) => p.name)).not.to.include("otel-log-agent-traffic");
    expect(policy(policies, "prometheus-traffic").egress).to.deep.include({
      ports: [
        { protocol: "TCP", port: 443 },
        { protocol: "TCP", port: 6443 },
      ],
    });
  });

  it("names no workload that is not deployed", () => {
    const appOnly = selectWorkloads({ observability: false });
    const text = JSON.stringify(render(appOnly));
    for (const missing of everything.filter((w) => !appOnly.includes(w))) {
      expect(text, missing.name).not.to.contain(`"${missing.name}"`);
    }
  });
});
