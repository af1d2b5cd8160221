import { expect } from "chai";
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { builtWorkloads, selectWorkloads } from "../components/catalog";
import { assertHardenedPod } from "./support/hardening";
import { nginxConfigTest, nginxWorkspace } from "./support/nginx";
import { validateKubernetesObject, withoutSecretMarkers } from "./support/kubernetes-schema";
import {
  ProgramRun,
  REPO_ROOT,
  RegisteredResource,
  readyHost,
  runProgram,
  transitiveDependencies,
} from "./support/pulumi-program";
import { TEST_DB_PASSWORD } from "./support/stack-config";

const POD_CONTROLLERS = ["apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:DaemonSet", "batch/v1:Job"];
const isController = (r: RegisteredResource) =>
  POD_CONTROLLERS.some((kind) => r.type === `kubernetes:${kind}`);

describe("the Pulumi program on the dev stack (mocked engine)", function () {
  this.timeout(60_000);
  let run: ProgramRun;
  const find = (type: string, name: string) => {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
  };
  const kubernetesObjects = () =>
    run.resources.filter(
      (r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:pulumi"),
    );

  before(async () => {
    run = await runProgram("dev", { "traderx:dbPassword": TEST_DB_PASSWORD });
    if (run.error) throw run.error;
  });

  it("creates the cluster first, then loads each built image, then starts the workloads", () => {
    const cluster = find("command:local:Command", "cluster-kind");
    const provider = find("pulumi:providers:kubernetes", "cluster-kubernetes");
    expect([...transitiveDependencies(run, provider)]).to.include(cluster.urn);
    const expectedBuilt = builtWorkloads(selectWorkloads({ observability: true })).map((w) => w.name);
    for (const name of expectedBuilt) {
      const load = run.resources.find(
        (r) => r.type === "command:local:Command" && r.name === `${name}-image-load`,
      );
      if (!load) continue; // a service folder without sources is declared but not built
      expect([...transitiveDependencies(run, load)], `${name} load after the cluster`).to.include(
        cluster.urn,
      );
      expect([...transitiveDependencies(run, load)], `${name} load after its build`).to.include(
        find("docker:index/image:Image", `${name}-image`).urn,
      );
      const controller = run.resources.find((r) => isController(r) && r.name === name)!;
      expect([...transitiveDependencies(run, controller)], `${name} pods after the load`).to.include(
        load.urn,
      );
    }
    expect(run.resources.filter((r) => r.name.endsWith("-image-load"))).to.have.length.greaterThan(5);
  });

  it("loads an image again when the image id or the cluster identity changes", () => {
    const load = find("command:local:Command", "account-service-image-load");
    expect(load.inputs.environment).to.deep.include({ CLUSTER_NAME: "traderx-state-010" });
    expect(load.inputs.environment.IMAGE).to.match(/^traderx\/account-service:[0-9a-f]{16}$/);
    expect(load.inputs.triggers).to.deep.equal([
      "sha256:image-id-of-account-service-image",
      "cluster-kind-stdout",
    ]);
    expect(load.inputs.create).to.contain('kind load docker-image --name "$CLUSTER_NAME" "$IMAGE"');
  });

  it("builds every image locally without pushing, under its content tag", () => {
    for (const image of run.resources.filter((r) => r.type === "docker:index/image:Image")) {
      expect(image.inputs.skipPush, image.name).to.equal(true);
      expect(image.inputs.imageName).to.match(/^traderx\/[a-z-]+:[0-9a-f]{16}$/);
      expect(image.inputs.build.dockerfile).to.match(/images\/Dockerfile$/);
    }
  });

  it("starts the DB-using services only after the migrations Job, which waits for the database", () => {
    const migrations = find("kubernetes:batch/v1:Job", "database-migrations");
    const database = find("kubernetes:apps/v1:StatefulSet", "database");
    expect([...transitiveDependencies(run, migrations)]).to.include(database.urn);
    const clients = ["account-service", "position-service", "trade-processor", "order-matcher"];
    for (const name of [...clients, "observability-postgres-exporter"]) {
      expect([...transitiveDependencies(run, find("kubernetes:apps/v1:Deployment", name))], name).to.include(
        migrations.urn,
      );
    }
  });

  it("applies every hardening rule to every pod spec it declares", () => {
    const pods = run.resources.filter(isController);
    expect(pods.length).to.be.greaterThan(10);
    for (const controller of pods) {
      assertHardenedPod(controller.inputs.spec.template, {
        kind: controller.inputs.kind,
        where: controller.name,
      });
      if (controller.inputs.kind === "Deployment") {
        expect(controller.inputs.spec.strategy.rollingUpdate).to.deep.equal({
          maxUnavailable: 0,
          maxSurge: 1,
        });
      }
    }
    for (const cronJob of run.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob")) {
      assertHardenedPod(cronJob.inputs.spec.jobTemplate.spec.template, {
        kind: "CronJob",
        where: cronJob.name,
      });
    }
  });

  it("starts the edge after every Service its nginx.conf resolves, Grafana and Prometheus included", () => {
    const edge = find("kubernetes:apps/v1:Deployment", "edge-proxy");
    const waitsFor = transitiveDependencies(run, edge);
    for (const service of ["grafana", "prometheus", "web-front-end", "nats-broker", "api-explorer"]) {
      const found = run.resources.find(
        (r) => r.type === "kubernetes:core/v1:Service" && r.inputs.metadata.name === service,
      );
      expect(found, service).not.to.equal(undefined);
      expect([...waitsFor], service).to.include(found!.urn);
    }
  });

  it("renders an edge nginx.conf that the real `nginx -t` accepts as the pod would run it", async () => {
    const conf = find("kubernetes:core/v1:ConfigMap", "edge-proxy-config").inputs.data["nginx.conf"];
    expect(conf).to.contain("pid /tmp/nginx.pid;");
    const workspace = await nginxWorkspace();
    try {
      await writeFile(workspace.confPath, conf);
      const serviceNames = run.resources
        .filter((r) => r.type === "kubernetes:core/v1:Service")
        .map((r) => r.inputs.metadata.name);
      const result = await nginxConfigTest(workspace, serviceNames, { privateTmp: true });
      expect(result.ok, result.output).to.equal(true);
    } finally {
      await workspace.cleanup();
    }
  });

  it("renders a nats.conf that the real `nats-server -t` accepts", async () => {
    const conf = find("kubernetes:core/v1:ConfigMap", "nats-broker-config").inputs.data["nats.conf"];
    const dir = await mkdtemp(join(tmpdir(), "traderx-nats-conf-"));
    try {
      await writeFile(join(dir, "nats.conf"), conf);
      const { stderr } = await promisify(execFile)("nats-server", ["-c", join(dir, "nats.conf"), "-t"]);
      expect(stderr).to.contain("is valid");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("exposes the edge as NodePort 30080 and the kind node maps 30080 to host port 8080", () => {
    const edge = find("kubernetes:core/v1:Service", "edge-proxy-service");
    expect(edge.inputs.spec.type).to.equal("NodePort");
    expect(edge.inputs.spec.ports).to.deep.equal([
      { name: "http", port: 8080, targetPort: "http", protocol: "TCP", nodePort: 30080 },
    ]);
    const kindConfig = parse(find("command:local:Command", "cluster-kind").inputs.environment.KIND_CONFIG);
    expect(kindConfig.name).to.equal("traderx-state-010");
    expect(kindConfig.nodes[0].extraPortMappings[0]).to.include({ containerPort: 30080, hostPort: 8080 });
    for (const service of run.resources.filter(
      (r) => r.type === "kubernetes:core/v1:Service" && r !== edge,
    )) {
      expect(service.inputs.spec.type, service.name).to.equal("ClusterIP");
    }
  });

  it("deletes the cluster on destroy and keeps the kubeconfig secret", () => {
    expect(find("command:local:Command", "cluster-kind").inputs.delete).to.contain("kind delete cluster");
    const provider = find("pulumi:providers:kubernetes", "cluster-kubernetes");
    expect(JSON.stringify(provider.inputs)).to.contain("4dabf18193072939515e22adb298388d");
  });

  it("puts every pod in the restricted app namespace, except node log agents, and creates namespaces first", () => {
    const namespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
    const app = namespaces.find((r) => r.inputs.metadata.name === "traderx")!;
    expect(app.inputs.metadata.labels).to.include({ "pod-security.kubernetes.io/enforce": "restricted" });
    const nodeAgents = selectWorkloads({ observability: true })
      .filter((w) => w.nodeLogs)
      .map((w) => w.name);
    for (const object of kubernetesObjects().filter((r) => r.inputs.metadata.namespace !== undefined)) {
      const namespaceName = object.inputs.metadata.namespace;
      if (namespaceName !== "traderx") {
        expect(object.inputs.metadata.labels?.["app.kubernetes.io/name"], object.name).to.be.oneOf(
          nodeAgents,
        );
      }
      const namespace = namespaces.find((r) => r.inputs.metadata.name === namespaceName);
      expect(namespace, `${object.name}: namespace ${namespaceName} is declared`).not.to.equal(undefined);
      expect([...transitiveDependencies(run, object)], `${object.name} after its namespace`).to.include(
        namespace!.urn,
      );
    }
  });

  it("gives pods in the restricted namespace only the volume types Pod Security restricted allows", () => {
    const allowed = [
      "configMap",
      "csi",
      "downwardAPI",
      "emptyDir",
      "ephemeral",
      "persistentVolumeClaim",
      "projected",
      "secret",
    ];
    const podsInApp = run.resources.filter(
      (r) => isController(r) && r.inputs.metadata.namespace === "traderx",
    );
    expect(podsInApp.length).to.be.greaterThan(10);
    for (const controller of podsInApp) {
      for (const volume of controller.inputs.spec.template.spec.volumes ?? []) {
        const types = Object.keys(volume).filter((key) => key !== "name");
        expect(types, `${controller.name}/${volume.name}`).to.have.length(1);
        expect(allowed, `${controller.name}/${volume.name}`).to.include(types[0]);
      }
    }
  });

  it("keeps database passwords in a Secret with one key per role, never in plain env", () => {
    const secret = find("kubernetes:core/v1:Secret", "database-credentials");
    const roles = Object.keys(withoutSecretMarkers(secret.inputs.stringData) as object);
    expect(roles).to.include.members(["traderx", "account_service", "position_service", "order_matcher"]);
    expect(JSON.stringify(secret.inputs.stringData)).to.contain("4dabf18193072939515e22adb298388d");
    for (const controller of run.resources.filter(isController)) {
      expect(JSON.stringify(controller.inputs), controller.name).not.to.contain(TEST_DB_PASSWORD);
    }
  });

  it("starts with a default-deny NetworkPolicy and allows DNS", () => {
    const deny = find("kubernetes:networking.k8s.io/v1:NetworkPolicy", "network-policy-default-deny");
    expect(deny.inputs.spec).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    find("kubernetes:networking.k8s.io/v1:NetworkPolicy", "network-policy-allow-dns");
  });

  it("declares only objects that validate against the Kubernetes OpenAPI schema", async () => {
    const objects = kubernetesObjects();
    expect(objects.length).to.be.greaterThan(30);
    for (const object of objects) {
      try {
        await validateKubernetesObject(
          object.type,
          withoutSecretMarkers(object.inputs) as Record<string, unknown>,
        );
      } catch (error) {
        throw new Error(`${object.type} ${object.name}: ${(error as Error).message}`, { cause: error });
      }
    }
  });

  it("the schema check rejects a malformed object, so passing it means something", async () => {
    const deployment = withoutSecretMarkers(
      find("kubernetes:apps/v1:Deployment", "account-service").inputs,
    ) as {
      spec: { replicas: unknown };
    };
    deployment.spec.replicas = "one";
    let message = "";
    await validateKubernetesObject("kubernetes:apps/v1:Deployment", deployment).catch(
      (e: Error) => (message = e.message),
    );
    expect(message).to.contain("replicas must be integer");
  });

  it("outputs the URLs, the cluster name, the namespace and the image references", async () => {
    const outputs = run.outputs!;
    expect(outputs).to.include({
      appUrl: "http://localhost:8080/",
      grafanaUrl: "http://localhost:8080/grafana/",
      prometheusUrl: "http://localhost:8080/prometheus/",
      apiDocsUrl: "http://localhost:8080/api/docs/",
      clusterName: "traderx-state-010",
    });
    expect(await new Promise((resolve) => outputs.namespace.apply(resolve))).to.equal("traderx");
    expect(outputs.images["account-service"]).to.match(/^traderx\/account-service:[0-9a-f]{16}$/);
    expect(outputs.images["edge-proxy"]).to.equal("nginxinc/nginx-unprivileged:1.29.1-alpine3.22");
  });
});

describe("the Pulumi program's scaling overlays (mocked engine)", function () {
  this.timeout(60_000);

  it("adds PDBs, topology spread and autoscaling/v2 HPAs, leaving singletons alone", async () => {
    const run = await runProgram("dev", {
      "traderx:dbPassword": TEST_DB_PASSWORD,
      "traderx:replicas": "2",
      "traderx:autoscaling": "true",
    });
    if (run.error) throw run.error;
    const named = (type: string) =>
      run.resources.filter((r) => r.type === type).map((r) => r.inputs.metadata.name);
    const hpas = named("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    expect(hpas).to.include.members(["account-service", "trade-service", "edge-proxy"]);
    expect(hpas).not.to.include.members(["order-matcher", "price-publisher", "database", "nats-broker"]);
    expect(named("kubernetes:policy/v1:PodDisruptionBudget")).to.have.members(hpas);
    const account = run.resources.find(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "account-service",
    )!;
    expect(account.inputs.spec).not.to.have.property("replicas");
    expect(account.inputs.spec.template.spec.topologySpreadConstraints).to.have.length(1);
    const overlayTypes =
      /HorizontalPodAutoscaler|PodDisruptionBudget|APIService|ClusterRole|RoleBinding|ServiceAccount/;
    for (const object of run.resources.filter((r) => overlayTypes.test(r.type))) {
      await validateKubernetesObject(object.type, object.inputs);
    }
    // The HPAs need the metrics API, which Kind lacks: the overlay installs a hardened metrics server.
    const metricsServer = run.resources.find(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "metrics-server",
    )!;
    expect(metricsServer.inputs.metadata.namespace).to.equal("kube-system");
    assertHardenedPod(metricsServer.inputs.spec.template, { kind: "Deployment", where: "metrics-server" });
    expect(metricsServer.inputs.spec.template.spec.containers[0].readinessProbe.httpGet.scheme).to.equal(
      "HTTPS",
    );
    await validateKubernetesObject(metricsServer.type, metricsServer.inputs);
    const apiService = run.resources.find(
      (r) => r.type === "kubernetes:apiregistration.k8s.io/v1:APIService",
    )!;
    expect(apiService.inputs.spec.service).to.deep.equal({
      name: "metrics-server",
      namespace: "kube-system",
    });
    expect([...transitiveDependencies(run, apiService)]).to.include(metricsServer.urn);
  });

  it("declares no NetworkPolicy when traderx:networkPolicies is false", async () => {
    const run = await runProgram("dev", {
      "traderx:dbPassword": TEST_DB_PASSWORD,
      "traderx:networkPolicies": "false",
    });
    if (run.error) throw run.error;
    expect(run.resources.filter((r) => r.type.includes("NetworkPolicy"))).to.deep.equal([]);
  });

  it("leaves the observability stack, its routes and its URLs out when traderx:observability is false", async () => {
    const run = await runProgram("dev", {
      "traderx:dbPassword": TEST_DB_PASSWORD,
      "traderx:observability": "false",
    });
    if (run.error) throw run.error;
    const names = run.resources.map((r) => r.inputs.metadata?.name);
    expect(names).not.to.include.members(["grafana", "prometheus", "loki"]);
    const edgeConfig = run.resources.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "edge-proxy-config",
    )!;
    expect(edgeConfig.inputs.data["nginx.conf"]).not.to.contain("/grafana/");
    expect(run.outputs).not.to.have.property("grafanaUrl");
  });
});

describe("the Pulumi program's determinism (mocked engine)", function () {
  this.timeout(120_000);
  const config = { "traderx:dbPassword": TEST_DB_PASSWORD };
  /** URN -> registered inputs, as JSON. */
  const snapshot = (run: ProgramRun) => new Map(run.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
  const changedUrns = (before: ProgramRun, after: ProgramRun) => {
    const a = snapshot(before);
    const b = snapshot(after);
    expect([...b.keys()].sort()).to.deep.equal([...a.keys()].sort());
    return [...a.keys()].filter((urn) => a.get(urn) !== b.get(urn));
  };
  let scratch: string;

  before(async () => {
    // A copy of the build inputs (not node_modules), so a test can change one service's source.
    scratch = await mkdtemp(join(tmpdir(), "traderx-repo-"));
    await cp(join(REPO_ROOT, "images"), join(scratch, "images"), {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
    });
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it("declares exactly the same inputs on a second run with nothing changed", async () => {
    const first = await runProgram("dev", config, readyHost, scratch);
    const second = await runProgram("dev", config, readyHost, scratch);
    if (first.error ?? second.error) throw first.error ?? second.error;
    expect(changedUrns(first, second)).to.deep.equal([]);
  });

  it("rolls exactly the pods that read the credentials Secret when traderx:dbPassword changes", async () => {
    const before = await runProgram("dev", config, readyHost, scratch);
    const after = await runProgram(
      "dev",
      { "traderx:dbPassword": `${TEST_DB_PASSWORD}-rotated` },
      readyHost,
      scratch,
    );
    if (before.error ?? after.error) throw before.error ?? after.error;
    const changed = changedUrns(before, after).map((urn) => urn.split("::").pop());
    expect(changed.sort()).to.deep.equal(
      [
        "database-credentials",
        "database",
        "database-migrations",
        "account-service",
        "position-service",
        "trade-processor",
        "order-matcher",
        "observability-postgres-exporter",
      ].sort(),
    );
  });

  it("changes only reference-data's build, load and Deployment (not its Service) when its source changes", async () => {
    const before = await runProgram("dev", config, readyHost, scratch);
    await writeFile(join(scratch, "images/reference-data/CHANGED.txt"), "a changed source file\n");
    const after = await runProgram("dev", config, readyHost, scratch);
    if (before.error ?? after.error) throw before.error ?? after.error;
    const changed = changedUrns(before, after).map((urn) => urn.split("::").pop());
    expect(changed.sort()).to.deep.equal(
      ["reference-data", "reference-data-image", "reference-data-image-load"].sort(),
    );
  });
});

describe("the Pulumi program with traderx:buildImages false (mocked engine)", function () {
  this.timeout(60_000);

  it("builds nothing and loads the local images under their content tags before the workloads", async () => {
    const run = await runProgram("dev", {
      "traderx:dbPassword": TEST_DB_PASSWORD,
      "traderx:buildImages": "false",
    });
    if (run.error) throw run.error;
    expect(run.resources.filter((r) => r.type === "docker:index/image:Image")).to.deep.equal([]);
    const load = run.resources.find((r) => r.name === "account-service-image-load")!;
    expect(load.inputs.environment.IMAGE).to.match(/^traderx\/account-service:[0-9a-f]{16}$/);
    expect(load.inputs.triggers).to.include(load.inputs.environment.IMAGE);
    const deployment = run.resources.find(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "account-service",
    )!;
    expect([...transitiveDependencies(run, deployment)]).to.include(load.urn);
  });
});

describe("the Pulumi program with the minikube profile (mocked engine)", function () {
  this.timeout(60_000);

  it("starts a minikube profile with the port mapping and loads images with minikube", async () => {
    const run = await runProgram("dev", {
      "traderx:dbPassword": TEST_DB_PASSWORD,
      "traderx:profile": "minikube",
    });
    if (run.error) throw run.error;
    const cluster = run.resources.find((r) => r.name === "cluster-minikube")!;
    expect(cluster.inputs.create).to.contain("minikube start --profile");
    expect(cluster.inputs.delete).to.contain('minikube delete --profile "$CLUSTER_NAME"');
    expect(cluster.inputs.environment).to.deep.include({
      CLUSTER_NAME: "traderx-state-010",
      HOST_PORT: "8080",
      NODE_PORT: "30080",
      KUBERNETES_VERSION: "v1.37.0",
    });
    const load = run.resources.find((r) => r.name === "account-service-image-load")!;
    expect(load.inputs.create).to.contain('minikube image load --profile "$CLUSTER_NAME" "$IMAGE"');
  });
});

describe("the Pulumi program on the aws-ec2-k8s stack (mocked engine)", () => {
  it("refuses with the enablement criteria and declares nothing", async () => {
    const run = await runProgram("aws-ec2-k8s");
    expect(run.error?.message).to.contain("refusing to deploy the aws-ec2-k8s profile");
    expect(run.error?.message).to.contain("generated Kubernetes deploy assets");
    expect(run.error?.message).to.contain("host prerequisite checks");
    expect(run.error?.message).to.contain("profile smoke tests");
    expect(run.resources).to.deep.equal([]);
  });
});

describe("the Pulumi program on an unprepared host (mocked engine)", () => {
  it("stops before declaring anything and says what is missing", async () => {
    const run = await runProgram(
      "dev",
      { "traderx:dbPassword": TEST_DB_PASSWORD },
      {
        ...readyHost,
        onPath: (command) => command !== "kind",
        portFree: async () => false,
      },
    );
    expect(run.error?.message).to.contain("this host is not ready for the kind profile");
    expect(run.error?.message).to.contain("kind is not on PATH");
    expect(run.resources).to.deep.equal([]);
  });
});
