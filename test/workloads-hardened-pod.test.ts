import { expect } from "chai";
import { catalog, workloadByName } from "../components/catalog";
import {
  CONFIG_CHECKSUM_ANNOTATION,
  PRESTOP_DRAIN_SECONDS,
  configChecksum,
  imageVersionLabel,
  renderDeploymentSpec,
  renderPodTemplate,
} from "../components/workloads/hardened-pod";
import { assertHardenedPod } from "./support/hardening";

describe("hardened pod renderer", () => {
  const service = workloadByName("account-service");

  it("applies every hardening rule to every catalog workload's pod", () => {
    for (const workload of catalog) {
      const template = renderPodTemplate({ workload, image: "traderx/x:abc", instance: "traderx" });
      assertHardenedPod(template, { kind: workload.kind, where: workload.name });
    }
  });

  it("orders secret env before plain env, so plain values may reference them", () => {
    const template = renderPodTemplate({
      workload: service,
      image: "traderx/account-service:1",
      instance: "traderx",
      env: { DATA_SOURCE_USER: "$(DATABASE_DBUSER)" },
      secretEnv: { DATABASE_DBPASS: { secretName: "database-credentials", key: "account_service" } },
    });
    const env = template.spec!.containers![0].env as { name: string }[];
    expect(env.map((e) => e.name)).to.deep.equal(["DATABASE_DBPASS", "DATA_SOURCE_USER"]);
  });

  it("adds a postStart exec hook only to a pod that asks for one, next to the preStop drain", () => {
    const database = workloadByName("database");
    const withHook = renderPodTemplate({
      workload: database,
      image: "postgres:16",
      instance: "traderx",
      postStart: ["sh", "-c", "true"],
    }).spec!.containers![0].lifecycle!;
    expect(withHook.postStart).to.deep.equal({ exec: { command: ["sh", "-c", "true"] } });
    expect(withHook.preStop).to.deep.equal({ sleep: { seconds: PRESTOP_DRAIN_SECONDS } });
    const without = renderPodTemplate({ workload: database, image: "postgres:16", instance: "traderx" });
    expect(without.spec!.containers![0].lifecycle).not.to.have.property("postStart");
  });

  it("refuses a workload without probes, with a root uid, or with a grace period shorter than the drain", () => {
    const render = (patch: object) => () =>
      renderPodTemplate({ workload: { ...service, ...patch }, image: "x:1", instance: "traderx" });
    expect(render({ probes: undefined })).to.throw(/declares no readiness\/liveness probes/);
    expect(render({ runAsUser: 0 })).to.throw(/non-zero uid/);
    expect(render({ terminationGracePeriodSeconds: PRESTOP_DRAIN_SECONDS })).to.throw(/must exceed/);
  });

  it("rolls one pod at a time and leaves replicas to the HPA when one owns them", () => {
    const template = renderPodTemplate({ workload: service, image: "x:1", instance: "traderx" });
    const spec = renderDeploymentSpec(template, { app: "x" }, undefined);
    expect(spec).not.to.have.property("replicas");
    expect(spec.strategy).to.deep.equal({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(renderDeploymentSpec(template, { app: "x" }, 2).replicas).to.equal(2);
  });

  it("changes the checksum annotation when any config part changes", () => {
    const annotate = (sum: string) =>
      renderPodTemplate({ workload: service, image: "x:1", instance: "t", configChecksum: sum }).metadata!
        .annotations as Record<string, string>;
    expect(annotate(configChecksum("a", "b"))[CONFIG_CHECKSUM_ANNOTATION]).not.to.equal(
      annotate(configChecksum("a", "c"))[CONFIG_CHECKSUM_ANNOTATION],
    );
    expect(configChecksum("ab", "c")).not.to.equal(configChecksum("a", "bc"));
  });

  it("turns image tags into valid label values", () => {
    expect(imageVersionLabel("nginxinc/nginx-unprivileged:1.29.1-alpine3.22")).to.equal("1.29.1-alpine3.22");
    expect(imageVersionLabel("localhost:5000/traderx/svc")).to.equal("latest");
    expect(imageVersionLabel("postgres:16@sha256:abc")).to.equal("16");
  });
});
