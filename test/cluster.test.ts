import { expect } from "chai";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { clusterCommands, clusterEnv, kubernetesVersionOf } from "../components/cluster/cluster-commands";
import {
  HostProbe,
  hostPrerequisiteProblems,
  systemHostProbe,
} from "../components/cluster/host-prerequisites";
import { renderKindConfig } from "../components/cluster/kind-config";
import { DEFAULT_KIND_NODE_IMAGE } from "../components/config/platform-config";
import { freePort } from "./support/http";

const run = promisify(execFile);

const kindInput = {
  clusterName: "traderx-state-010",
  nodeImage: DEFAULT_KIND_NODE_IMAGE,
  hostPort: 8080,
  nodePort: 30080,
};

describe("kind config renderer", () => {
  it("maps NodePort 30080 to host port 8080 on a pinned node image", () => {
    const config = parse(renderKindConfig(kindInput));
    expect(config).to.deep.include({
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      name: "traderx-state-010",
    });
    expect(config.nodes).to.have.length(1);
    expect(config.nodes[0].role).to.equal("control-plane");
    expect(config.nodes[0].image).to.match(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(config.nodes[0].extraPortMappings).to.deep.equal([
      { containerPort: 30080, hostPort: 8080, listenAddress: "127.0.0.1", protocol: "TCP" },
    ]);
  });

  it("reads the Kubernetes version minikube should run from the node image", () => {
    expect(kubernetesVersionOf(DEFAULT_KIND_NODE_IMAGE)).to.match(/^v1\.\d+\.\d+$/);
    expect(() => kubernetesVersionOf("kindest/node:latest")).to.throw(/cannot read a Kubernetes version/);
  });
});

/**
 * Runs the real cluster scripts with bash against stand-ins for `kind` and `docker` that record their
 * arguments and keep the list of clusters in a file.
 */
describe("kind cluster scripts", () => {
  let bin: string;
  const calls = () => readFile(join(bin, "calls.log"), "utf8").catch(() => "");

  beforeEach(async () => {
    bin = await mkdtemp(join(tmpdir(), "traderx-kind-"));
    await writeFile(
      join(bin, "kind"),
      `#!/bin/bash
echo "kind $*" >> "${bin}/calls.log"
case "$1 $2" in
  "get clusters") cat "${bin}/clusters" 2>/dev/null ;;
  "create cluster") cp "$6" "${bin}/received-config"; echo "$4" >> "${bin}/clusters" ;;
  "delete cluster") sed -i "/^$4\\$/d" "${bin}/clusters" 2>/dev/null || true ;;
esac
`,
    );
    await writeFile(
      join(bin, "docker"),
      `#!/bin/bash\necho "docker $*" >> "${bin}/calls.log"\necho node-id-of-$4\n`,
    );
    await chmod(join(bin, "kind"), 0o755);
    await chmod(join(bin, "docker"), 0o755);
  });
  afterEach(() => rm(bin, { recursive: true, force: true }));

  const runScript = (script: string, env: Record<string, string>) =>
    run("/bin/bash", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env } });

  it("creates the cluster once with the rendered config, and is a no-op when it exists", async () => {
    const kindConfig = renderKindConfig(kindInput);
    const env = clusterEnv("kind", { ...kindInput, kindConfig, kubernetesVersion: "v1.37.0" });
    const first = await runScript(clusterCommands("kind").create, env);
    expect(first.stdout.trim()).to.equal("node-id-of-traderx-state-010-control-plane");
    expect(await readFile(join(bin, "received-config"), "utf8")).to.equal(kindConfig);
    await runScript(clusterCommands("kind").create, env);
    const creates = (await calls()).split("\n").filter((line) => line.startsWith("kind create"));
    expect(creates).to.have.length(1);
    expect(creates[0]).to.match(/^kind create cluster --name traderx-state-010 --config \/\S+ --wait 180s$/);
  });

  it("deletes the cluster and loads images by name", async () => {
    await runScript(clusterCommands("kind").delete, { CLUSTER_NAME: "traderx-state-010" });
    await runScript(clusterCommands("kind").loadImage, {
      CLUSTER_NAME: "traderx-state-010",
      IMAGE: "traderx/a:1",
    });
    expect(await calls()).to.contain("kind delete cluster --name traderx-state-010\n");
    expect(await calls()).to.contain("kind load docker-image --name traderx-state-010 traderx/a:1\n");
  });

  it("fails the create when kind fails, instead of reporting a cluster", async () => {
    await writeFile(join(bin, "kind"), '#!/bin/bash\n[ "$1" = get ] && exit 0\necho boom >&2\nexit 1\n');
    const env = clusterEnv("kind", { ...kindInput, kindConfig: "x", kubernetesVersion: "v1.37.0" });
    let failed = false;
    await runScript(clusterCommands("kind").create, env).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});

describe("minikube cluster scripts", () => {
  let bin: string;
  const calls = () => readFile(join(bin, "calls.log"), "utf8").catch(() => "");

  beforeEach(async () => {
    bin = await mkdtemp(join(tmpdir(), "traderx-minikube-"));
    // `minikube status` fails until `minikube start` has run once.
    await writeFile(
      join(bin, "minikube"),
      `#!/bin/bash
echo "minikube $*" >> "${bin}/calls.log"
case "$1" in
  status) [ -f "${bin}/started" ] ;;
  start) touch "${bin}/started" ;;
esac
`,
      { mode: 0o755 },
    );
    await writeFile(join(bin, "docker"), `#!/bin/bash\necho node-id-of-$4\n`, { mode: 0o755 });
  });
  afterEach(() => rm(bin, { recursive: true, force: true }));

  it("starts the profile once with the docker driver and the port mapping, then only reports it", async () => {
    const env = clusterEnv("minikube", { ...kindInput, kindConfig: "", kubernetesVersion: "v1.37.0" });
    const script = clusterCommands("minikube").create;
    const runScript = () =>
      run("/bin/bash", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env } });
    expect((await runScript()).stdout.trim()).to.equal("node-id-of-traderx-state-010");
    await runScript();
    const starts = (await calls()).split("\n").filter((line) => line.startsWith("minikube start"));
    expect(starts).to.deep.equal([
      "minikube start --profile traderx-state-010 --driver=docker --kubernetes-version=v1.37.0 " +
        "--ports=127.0.0.1:8080:30080 --wait=all",
    ]);
  });
});

describe("host prerequisites", () => {
  const readyHost: HostProbe = {
    onPath: () => true,
    dockerDaemonProblem: async () => undefined,
    portFree: async () => true,
    clusterExists: async () => false,
  };
  const input = { profile: "kind" as const, clusterName: "traderx-state-010", hostPort: 8080 };

  it("passes a ready host", async () => {
    expect(await hostPrerequisiteProblems(input, readyHost)).to.deep.equal([]);
  });

  it("names each missing tool with how to install it", async () => {
    const problems = await hostPrerequisiteProblems(input, { ...readyHost, onPath: (c) => c === "docker" });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^kind is not on PATH: install kind/);
    expect(problems[1]).to.match(/^kubectl is not on PATH: install kubectl/);
    const minikube = await hostPrerequisiteProblems(
      { ...input, profile: "minikube" },
      { ...readyHost, onPath: (c) => c !== "minikube" },
    );
    expect(minikube).to.deep.equal([
      "minikube is not on PATH: install minikube: https://minikube.sigs.k8s.io/docs/start/",
    ]);
  });

  it("reports an unreachable docker daemon with its reason", async () => {
    const problems = await hostPrerequisiteProblems(input, {
      ...readyHost,
      dockerDaemonProblem: async () => "Cannot connect to the Docker daemon at unix:///var/run/docker.sock",
    });
    expect(problems).to.deep.equal([
      "the docker daemon is not reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock): start Docker and retry",
    ]);
  });

  it("reports a busy host port unless our own cluster already publishes it", async () => {
    const busy = { ...readyHost, portFree: async () => false };
    const problems = await hostPrerequisiteProblems(input, busy);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^host port 8080 is in use: .*`pulumi config set traderx:hostPort <port>`$/);
    expect(await hostPrerequisiteProblems(input, { ...busy, clusterExists: async () => true })).to.deep.equal(
      [],
    );
  });

  describe("on this machine", () => {
    const probe = systemHostProbe();

    it("finds executables on PATH and only those", () => {
      expect(probe.onPath("sh")).to.equal(true);
      expect(probe.onPath("no-such-tool-traderx")).to.equal(false);
    });

    it("tells a free port from one something listens on", async () => {
      const port = await freePort();
      expect(await probe.portFree(port)).to.equal(true);
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      try {
        expect(await probe.portFree(port)).to.equal(false);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("reports the docker daemon as reachable or says why not, from the docker CLI's answer", async () => {
      const bin = await mkdtemp(join(tmpdir(), "traderx-docker-"));
      const originalPath = process.env.PATH;
      const fakeDocker = (script: string) =>
        writeFile(join(bin, "docker"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      try {
        process.env.PATH = `${bin}:/usr/bin:/bin`;
        await fakeDocker(
          'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1',
        );
        expect(await probe.dockerDaemonProblem()).to.equal(
          "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.",
        );
        await fakeDocker("echo 27.3.1");
        expect(await probe.dockerDaemonProblem()).to.equal(undefined);
      } finally {
        process.env.PATH = originalPath;
        await rm(bin, { recursive: true, force: true });
      }
    });
  });
});
