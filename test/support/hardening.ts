/**
 * The hardening rules of design principle 3, asserted on a pod template. Used on every pod the program
 * declares and on every pod the renderer produces from the catalog.
 */
import { expect } from "chai";

/* eslint-disable @typescript-eslint/no-explicit-any -- pod specs are checked as plain JSON here */
export function assertHardenedPod(template: any, options: { kind?: string; where: string }): void {
  const where = options.where;
  const runToCompletion = options.kind === "Job" || options.kind === "CronJob";
  const labels = template.metadata?.labels ?? {};
  for (const key of ["name", "instance", "component", "part-of", "version", "managed-by"]) {
    expect(labels, `${where}: label app.kubernetes.io/${key}`).to.have.property(`app.kubernetes.io/${key}`);
  }
  expect(template.metadata?.annotations?.["checksum/config"], `${where}: checksum annotation`).to.match(
    /^[0-9a-f]{64}$/,
  );
  const spec = template.spec;
  expect(spec.securityContext, `${where}: pod securityContext`).to.include({ runAsNonRoot: true });
  expect(spec.securityContext.seccompProfile, `${where}: pod seccomp`).to.deep.equal({
    type: "RuntimeDefault",
  });
  expect(spec.securityContext.runAsUser, `${where}: pod uid`).to.be.above(0);
  const tmp = spec.volumes.find((v: any) => v.name === "tmp");
  expect(tmp?.emptyDir, `${where}: /tmp emptyDir`).to.be.an("object");
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    const at = `${where}/${container.name}`;
    expect(container.securityContext, `${at}: securityContext`).to.deep.include({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.volumeMounts, `${at}: /tmp mount`).to.deep.include({ name: "tmp", mountPath: "/tmp" });
    for (const side of ["requests", "limits"]) {
      expect(container.resources?.[side], `${at}: resources.${side}`).to.have.keys(["cpu", "memory"]);
    }
    if (runToCompletion) continue;
    expect(container.readinessProbe, `${at}: readiness probe`).to.be.an("object");
    expect(container.livenessProbe, `${at}: liveness probe`).to.be.an("object");
    const drain = container.lifecycle?.preStop?.sleep?.seconds;
    expect(drain, `${at}: preStop drain`).to.be.a("number");
    expect(spec.terminationGracePeriodSeconds, `${at}: grace period covers the drain`).to.be.above(drain);
  }
}
