/**
 * The state-010 scripts, run for real by bash with stub `pulumi`, `kind`, `kubectl` and `minikube`
 * executables first on PATH. The stubs record every call (arguments and the env that matters), so the
 * control flow and the flags are checked; the edge is a real HTTP server, so the readiness gate really
 * polls it.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repoRoot = resolve(__dirname, "..");
const scriptPath = (name: string) => join(repoRoot, "scripts", name);
const START = "start-state-010-kubernetes-runtime-generated.sh";
const STOP = "stop-state-010-kubernetes-runtime-generated.sh";
const STATUS = "status-state-010-kubernetes-runtime-generated.sh";
const TEST = "test-state-010-kubernetes-runtime.sh";

/** Each stub appends one line `<tool> <args…>` to $STUB_CALLS and answers what the scripts read. */
const STUBS: Record<string, string> = {
  pulumi: `
echo "pulumi $* passphrase=[\${PULUMI_CONFIG_PASSPHRASE-unset}]" >>"$STUB_CALLS"
args=" $* "
if [[ "$args" == *" config get "* ]]; then
  key=""; prev=""
  for a in "$@"; do [[ "$prev" == get ]] && key="$a"; prev="$a"; done
  line="$(grep "^$key=" "$STUB_STATE/config" 2>/dev/null | tail -n1)" || exit 1
  [[ -n "$line" ]] || exit 1
  echo "\${line#*=}"
elif [[ "$args" == *" config set "* ]]; then
  key=""; value=""; prev=""
  for a in "$@"; do
    [[ "$prev" == set ]] && key="$a"
    [[ -n "$key" && "$prev" == "$key" ]] && value="$a"
    prev="$a"
  done
  echo "$key=$value" >>"$STUB_STATE/config"
fi
[[ "$args" == *" up "* && -n "\${STUB_UP_FAILS:-}" ]] && exit 3
[[ "$args" == *" stack select "* && "$args" != *" --create "* && -n "\${STUB_NO_STACK:-}" ]] && exit 1
exit 0`,
  kind: `
echo "kind $*" >>"$STUB_CALLS"
if [[ "$1 $2" == "get clusters" ]]; then printf '%s\\n' \${STUB_CLUSTERS:-}; fi
exit 0`,
  minikube: `
echo "minikube $*" >>"$STUB_CALLS"
if [[ "$1 $2" == "profile list" ]]; then
  for p in \${STUB_CLUSTERS:-}; do printf '{"valid":[{"Name":"%s"}]}' "$p"; done
fi
exit 0`,
  kubectl: `
echo "kubectl $*" >>"$STUB_CALLS"
if [[ " $* " == *" -o name "* ]]; then
  printf 'deployment.apps/account-service\\nstatefulset.apps/database\\ndaemonset.apps/promtail\\n'
elif [[ " $* " == *" port-forward "* ]]; then
  exec sleep 30
fi
exit 0`,
};

interface Harness {
  dir: string;
  env: NodeJS.ProcessEnv;
  calls(): string[];
  setConfig(key: string, value: string): void;
}

function harness(edgeUrl: string, extraEnv: NodeJS.ProcessEnv = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), "state-010-scripts-"));
  const bin = join(dir, "bin");
  spawnSync("mkdir", ["-p", bin, join(dir, "state")]);
  for (const [name, body] of Object.entries(STUBS)) {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const callsFile = join(dir, "calls.log");
  writeFileSync(callsFile, "");
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: dir,
    STUB_CALLS: callsFile,
    STUB_STATE: join(dir, "state"),
    TRADERX_STATE_010_DIR: join(dir, "pulumi"),
    TRADERX_BASE_URL: edgeUrl,
    TRADERX_SMOKE_READY_TIMEOUT: "2",
    TRADERX_SMOKE_READY_INTERVAL: "0.05",
    ...extraEnv,
  };
  return {
    dir,
    env,
    calls: () => readFileSync(callsFile, "utf8").split("\n").filter(Boolean),
    setConfig: (key, value) =>
      writeFileSync(join(dir, "state", "config"), `${key}=${value}\n`, { flag: "a" }),
  };
}

interface Run {
  status: number | null;
  output: string;
}

/** Runs a script asynchronously, so the in-process edge server keeps answering the gate. */
function runScript(h: Harness, script: string, args: string[] = []): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn("bash", [scriptPath(script), ...args], { env: h.env, cwd: h.dir });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => resolvePromise({ status, output }));
  });
}

/** A real HTTP server standing in for the edge; answers every path with `status`. */
async function startEdge(status: number) {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url!);
    res.writeHead(status).end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise((done) => server.close(done)),
  };
}

describe("state-010 scripts", function () {
  this.timeout(60_000);
  let edge: Awaited<ReturnType<typeof startEdge>>;
  let failingEdge: Awaited<ReturnType<typeof startEdge>>;
  const harnesses: Harness[] = [];
  const newHarness = (url: string, env?: NodeJS.ProcessEnv) => {
    const h = harness(url, env);
    harnesses.push(h);
    return h;
  };

  before(async () => {
    edge = await startEdge(200);
    failingEdge = await startEdge(503);
  });
  after(async () => {
    await edge.close();
    await failingEdge.close();
    for (const h of harnesses) rmSync(h.dir, { recursive: true, force: true });
  });

  it("pass shellcheck", () => {
    const scripts = [START, STOP, STATUS, TEST].map(scriptPath);
    const result = spawnSync("shellcheck", ["-x", ...scripts, scriptPath("state-010/common.sh")], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).to.equal("");
    expect(result.status).to.equal(0);
  });

  it("--help lists the shared cluster flags and each script's own, and changes nothing", async () => {
    const h = newHarness(edge.url);
    const ownFlags: [string, string[]][] = [
      [START, ["--skip-build", "--recreate-cluster", "--dry-run"]],
      [STOP, ["--delete-cluster", "--dry-run"]],
      [STATUS, ["--wait-ready"]],
    ];
    for (const [script, flags] of ownFlags) {
      const run = await runScript(h, script, ["--help"]);
      expect(run.status, run.output).to.equal(0);
      expect(run.output).to.contain(`Usage: scripts/${script} [flags]`);
      for (const flag of [
        "--provider kind|minikube",
        "--cluster-name NAME",
        "--minikube-profile NAME",
        ...flags,
      ]) {
        expect(run.output, `${script} ${flag}`).to.contain(`  ${flag}`);
      }
    }
    expect(h.calls()).to.deep.equal([]);
  });

  describe("start", () => {
    it("logs in to a local file backend, runs pulumi up on dev, waits for rollout, gates and prints URLs", async () => {
      const h = newHarness(edge.url);
      const run = await runScript(h, START);
      expect(run.status, run.output).to.equal(0);
      const calls = h.calls();
      expect(calls).to.include(
        `pulumi --cwd ${repoRoot} --non-interactive login file://${h.dir}/pulumi/backend passphrase=[]`,
      );
      expect(
        calls.some((c) => /^pulumi .*stack select dev --create --secrets-provider passphrase/.test(c)),
      ).to.equal(true);
      const up = calls.find((c) => / up /.test(c))!;
      expect(up).to.contain("--stack dev");
      expect(up).to.contain(`--config-file ${h.dir}/pulumi/run/Pulumi.dev.effective.yaml`);
      expect(up).to.match(/--yes/);
      expect(up).not.to.match(/--refresh/);
      const kubectl = calls.filter((c) => c.startsWith("kubectl"));
      expect(kubectl[0]).to.equal(
        "kubectl --context kind-traderx-state-010 -n traderx wait --for=condition=Available deployment --all --timeout=600s",
      );
      for (const w of [
        "deployment.apps/account-service",
        "statefulset.apps/database",
        "daemonset.apps/promtail",
      ]) {
        expect(kubectl).to.include(
          `kubectl --context kind-traderx-state-010 -n traderx rollout status ${w} --timeout=600s`,
        );
      }
      // The gate ran before the URLs, against the edge.
      expect(run.output).to.match(/readiness gate: \d+ targets/);
      expect(run.output.indexOf("readiness gate")).to.be.lessThan(run.output.indexOf("TraderX is up"));
      expect(edge.paths).to.include.members(["/health", "/grafana/api/health", "/prometheus/-/ready"]);
      expect(run.output).to.contain(`UI:           ${edge.url}/`);
      expect(run.output).to.contain(`Grafana:      ${edge.url}/grafana/`);
      expect(calls.some((c) => c.startsWith("kind delete"))).to.equal(false);
    });

    it("--provider minikube --cluster-name --recreate-cluster --skip-build: override config, delete, refresh, port-forward", async () => {
      const h = newHarness(edge.url, { STUB_CLUSTERS: "other lab" });
      const run = await runScript(h, START, [
        "--provider",
        "minikube",
        "--cluster-name",
        "lab",
        "--recreate-cluster",
        "--skip-build",
      ]);
      expect(run.status, run.output).to.equal(0);
      const calls = h.calls();
      expect(calls.some((c) => / config set traderx:profile minikube /.test(c))).to.equal(true);
      expect(calls.some((c) => / config set traderx:clusterName lab /.test(c))).to.equal(true);
      const skipBuildAt = calls.findIndex((c) => / config set traderx:buildImages false /.test(c));
      expect(skipBuildAt).to.be.greaterThan(-1);
      const deleteAt = calls.indexOf("minikube delete -p lab");
      const upAt = calls.findIndex((c) => / up /.test(c));
      expect(deleteAt).to.be.greaterThan(-1);
      expect(upAt).to.be.greaterThan(deleteAt);
      expect(upAt).to.be.greaterThan(skipBuildAt);
      expect(calls[upAt]).to.match(/--yes --refresh /);
      expect(calls).to.include("kubectl --context lab -n traderx port-forward svc/edge-proxy 8080:8080");
      const pid = Number(readFileSync(join(h.dir, "pulumi/run/lab-port-forward.pid"), "utf8"));
      expect(pid).to.be.greaterThan(0);
      process.kill(pid);
    });

    it("--recreate-cluster leaves a cluster that does not exist alone", async () => {
      const h = newHarness(edge.url, { STUB_CLUSTERS: "someone-else" });
      const run = await runScript(h, START, ["--recreate-cluster"]);
      expect(run.status, run.output).to.equal(0);
      expect(h.calls().some((c) => c.startsWith("kind delete"))).to.equal(false);
      expect(h.calls().find((c) => / up /.test(c))).to.match(/--refresh/);
    });

    it("--dry-run prints the changing commands and runs none of them", async () => {
      const h = newHarness(edge.url, { STUB_CLUSTERS: "traderx-state-010" });
      const run = await runScript(h, START, ["--dry-run", "--recreate-cluster"]);
      expect(run.status, run.output).to.equal(0);
      const calls = h.calls();
      expect(calls.some((c) => / up /.test(c))).to.equal(false);
      expect(calls.some((c) => c.startsWith("kind delete") || c.startsWith("kubectl"))).to.equal(false);
      expect(run.output).to.contain("+ kind delete cluster --name traderx-state-010");
      expect(run.output).to.match(
        /\+ pulumi up --cwd \S+ --non-interactive --stack dev --config-file \S+ --yes --refresh/,
      );
      expect(run.output).to.contain("+ kubectl --context kind-traderx-state-010 -n traderx wait");
      expect(run.output).to.match(/\+ \S+tsx \S+scripts\/readiness\/cli.ts --base-url/);
    });

    it("fails with the targets that never became ready, and prints no URLs", async () => {
      const h = newHarness(failingEdge.url, { TRADERX_SMOKE_READY_TIMEOUT: "0.3" });
      const run = await runScript(h, START);
      expect(run.status).to.not.equal(0);
      expect(run.output).to.match(/timed out after [\d.]+ s; not ready: .*edge-health \(503\)/);
      expect(run.output).not.to.contain("TraderX is up");
    });

    it("stops when pulumi up fails, before touching the cluster", async () => {
      const h = newHarness(edge.url, { STUB_UP_FAILS: "1" });
      const run = await runScript(h, START);
      expect(run.status).to.equal(3);
      expect(h.calls().some((c) => c.startsWith("kubectl"))).to.equal(false);
    });

    it("without observability the gate skips Grafana and Prometheus and so do the URLs", async () => {
      const h = newHarness(edge.url);
      h.setConfig("traderx:observability", "false");
      edge.paths.length = 0;
      const run = await runScript(h, START);
      expect(run.status, run.output).to.equal(0);
      expect(edge.paths).to.include("/health");
      expect(edge.paths).not.to.include("/grafana/api/health");
      expect(run.output).not.to.contain("Grafana:");
    });

    it("rejects an unknown flag and an unknown provider with a clear message", async () => {
      const h = newHarness(edge.url);
      const unknown = await runScript(h, START, ["--fast"]);
      expect(unknown.status).to.equal(1);
      expect(unknown.output).to.contain("error: unknown flag '--fast' (see --help)");
      const provider = await runScript(h, START, ["--provider", "eks"]);
      expect(provider.status).to.equal(1);
      expect(provider.output).to.contain("provider 'eks' is not supported");
      const missing = await runScript(h, START, ["--provider"]);
      expect(missing.output).to.contain("--provider needs a value");
    });
  });

  describe("stop", () => {
    it("runs pulumi destroy, and --delete-cluster deletes a cluster that is still there", async () => {
      const h = newHarness(edge.url, { STUB_CLUSTERS: "traderx-state-010" });
      const run = await runScript(h, STOP, ["--delete-cluster"]);
      expect(run.status, run.output).to.equal(0);
      const calls = h.calls();
      const destroyAt = calls.findIndex((c) => / destroy /.test(c) && / --yes /.test(c));
      expect(destroyAt).to.be.greaterThan(-1);
      expect(calls.indexOf("kind delete cluster --name traderx-state-010")).to.be.greaterThan(destroyAt);
    });

    it("without --delete-cluster, or with no such cluster, deletes no cluster", async () => {
      const plain = newHarness(edge.url, { STUB_CLUSTERS: "traderx-state-010" });
      expect((await runScript(plain, STOP)).status).to.equal(0);
      expect(plain.calls().some((c) => c.startsWith("kind delete"))).to.equal(false);
      const absent = newHarness(edge.url, { STUB_CLUSTERS: "" });
      const run = await runScript(absent, STOP, ["--delete-cluster"]);
      expect(run.status).to.equal(0);
      expect(run.output).to.contain("does not exist; nothing to delete");
      expect(absent.calls().some((c) => c.startsWith("kind delete"))).to.equal(false);
    });
  });

  describe("status", () => {
    it("shows workloads, pods, services and one round of edge probes", async () => {
      const h = newHarness(edge.url, { STUB_CLUSTERS: "traderx-state-010" });
      const run = await runScript(h, STATUS);
      expect(run.status, run.output).to.equal(0);
      const kubectl = h.calls().filter((c) => c.startsWith("kubectl"));
      expect(kubectl).to.include.members([
        "kubectl --context kind-traderx-state-010 -n traderx get deployments,statefulsets,daemonsets -o wide",
        "kubectl --context kind-traderx-state-010 -n traderx get pods -o wide",
        "kubectl --context kind-traderx-state-010 -n traderx get services",
      ]);
      expect(run.output).to.contain("provider:  kind");
      expect(run.output).to.match(/account-lookup\s+\/account-service\/account\/22214\s+200\s+200/);
      expect(run.output).not.to.contain("readiness gate:");
    });

    it("--wait-ready runs the gate and fails when it times out", async () => {
      const h = newHarness(failingEdge.url, {
        STUB_CLUSTERS: "traderx-state-010",
        TRADERX_SMOKE_READY_TIMEOUT: "0.2",
      });
      const run = await runScript(h, STATUS, ["--wait-ready"]);
      expect(run.status).to.equal(1);
      expect(run.output).to.contain("readiness gate: timed out");
    });

    it("does not create a stack, and says to start first when there is none", async () => {
      const h = newHarness(edge.url, { STUB_NO_STACK: "1" });
      for (const script of [STATUS, STOP]) {
        const run = await runScript(h, script);
        expect(run.status).to.equal(1);
        expect(run.output).to.match(/stack dev does not exist on file:\/\/\S+; start it first with/);
      }
      expect(h.calls().some((c) => / --create /.test(c))).to.equal(false);
      expect(h.calls().some((c) => / destroy /.test(c))).to.equal(false);
    });

    it("says how to start a cluster that does not exist", async () => {
      const h = newHarness(edge.url, { STUB_CLUSTERS: "" });
      const run = await runScript(h, STATUS);
      expect(run.status).to.equal(1);
      expect(run.output).to.contain("cluster traderx-state-010 does not exist; start it with");
    });
  });

  describe("test", () => {
    it("takes url, namespace, provider and cluster, waits with the 300 s default, then runs the smoke test", async () => {
      const h = newHarness(edge.url, { TRADERX_SMOKE_READY_TIMEOUT: "0.3" });
      const run = await runScript(h, TEST, [failingEdge.url, "trading", "kind", "lab"]);
      const kubectl = h.calls().filter((c) => c.startsWith("kubectl"));
      expect(kubectl[0]).to.equal(
        "kubectl --context kind-lab -n trading wait --for=condition=Available deployment --all --timeout=300s",
      );
      expect(kubectl).to.include(
        "kubectl --context kind-lab -n trading rollout status daemonset.apps/promtail --timeout=300s",
      );
      // The smoke test starts with the gate, against the URL given; this edge never becomes ready.
      expect(run.output).to.contain("readiness gate: timed out");
      expect(run.status).to.not.equal(0);
    });
  });
});
