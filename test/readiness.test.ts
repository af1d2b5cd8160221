import { expect } from "chai";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { catalog, selectWorkloads } from "../components/catalog";
import { gateTimingFromEnv, readinessTargets, runReadinessGate } from "../scripts/readiness/gate";
import { runningWorkloads } from "../scripts/lib/profile";
import { localRecipeOf } from "../scripts/local-runtime/plan";
import { SmokeContext, skipReason, smokeChecks } from "../scripts/smoke/checks";

/** A real HTTP server whose handler decides the status per path; counts requests per path. */
async function startServer(statusFor: (path: string, hit: number) => number) {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const hit = (hits.get(req.url!) ?? 0) + 1;
    hits.set(req.url!, hit);
    const status = statusFor(req.url!, hit);
    res.writeHead(status, status === 301 ? { location: "/elsewhere" } : {}).end("x");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, hits, close: () => new Promise((resolve) => server.close(resolve)) };
}

function captured() {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk) => (text += chunk));
  return { out, text: () => text };
}

describe("readiness gate targets", () => {
  it("are exactly the readinessChecks of the selected workloads, in catalog order", () => {
    const selected = selectWorkloads({ observability: true });
    const targets = readinessTargets(selected, "http://localhost:8080/");
    expect(targets.map((t) => t.name)).to.deep.equal(
      selected.flatMap((w) => w.readinessChecks.map((c) => c.name)),
    );
    expect(targets.find((t) => t.name === "account-lookup")?.url).to.equal(
      "http://localhost:8080/account-service/account/22214",
    );
  });

  it("leave out the observability stack when the profile has none", () => {
    const optionalChecks = catalog
      .filter((w) => w.optional === "observability")
      .flatMap((w) => w.readinessChecks.map((c) => c.name));
    const names = readinessTargets(runningWorkloads({ kind: "kind", observability: false }), "http://x").map(
      (t) => t.name,
    );
    for (const name of optionalChecks) expect(names).not.to.include(name);
    expect(names).to.include.members(["edge-health", "edge-ui", "account-lookup", "order-matcher"]);
  });

  it("for the local profile cover only workloads with a local build", () => {
    const local = runningWorkloads({ kind: "local" });
    expect(local.every((w) => localRecipeOf(w) !== undefined)).to.equal(true);
    for (const w of catalog.filter((w) => localRecipeOf(w) === undefined)) {
      expect(local.map((l) => l.name)).not.to.include(w.name);
    }
  });
});

describe("readiness gate timing", () => {
  it("defaults to 240 s / 3 s and reads seconds from the environment", () => {
    expect(gateTimingFromEnv({})).to.deep.equal({ timeoutMs: 240_000, intervalMs: 3_000 });
    expect(
      gateTimingFromEnv({ TRADERX_SMOKE_READY_TIMEOUT: "420", TRADERX_SMOKE_READY_INTERVAL: "0.5" }),
    ).to.deep.equal({ timeoutMs: 420_000, intervalMs: 500 });
  });

  it("names the key and the fix for a bad value", () => {
    expect(() => gateTimingFromEnv({ TRADERX_SMOKE_READY_INTERVAL: "soon" })).to.throw(
      /TRADERX_SMOKE_READY_INTERVAL="soon" is not a positive number of seconds/,
    );
    expect(() => gateTimingFromEnv({ TRADERX_SMOKE_READY_TIMEOUT: "-1" })).to.throw(
      /TRADERX_SMOKE_READY_TIMEOUT/,
    );
  });
});

describe("readiness gate polling", () => {
  it("checks each target off on its first expected answer and never polls it again", async () => {
    const server = await startServer((path, hit) => (path === "/slow" ? (hit < 3 ? 503 : 200) : 200));
    try {
      const { out, text } = captured();
      const targets = [
        { name: "slow", path: "/slow", expectStatus: 200, url: `${server.baseUrl}/slow` },
        { name: "fast", path: "/fast", expectStatus: 200, url: `${server.baseUrl}/fast` },
      ];
      const result = await runReadinessGate(targets, { timeoutMs: 5_000, intervalMs: 50, out });
      expect(result.ready).to.equal(true);
      expect(server.hits.get("/fast")).to.equal(1);
      expect(server.hits.get("/slow")).to.equal(3);
      expect(text()).to.match(/ready: fast \/fast -> 200/);
      expect(text()).to.match(/2\/2 ready/);
    } finally {
      await server.close();
    }
  });

  it("does not follow redirects, so a 301 target expecting 200 stays waiting until the timeout", async () => {
    const server = await startServer((path) => (path === "/moved" ? 301 : 200));
    try {
      const { out, text } = captured();
      const targets = [
        { name: "moved", path: "/moved", expectStatus: 200, url: `${server.baseUrl}/moved` },
        { name: "redirect", path: "/moved", expectStatus: 301, url: `${server.baseUrl}/moved` },
      ];
      const result = await runReadinessGate(targets, { timeoutMs: 300, intervalMs: 50, out });
      expect(result.ready).to.equal(false);
      expect(result.targets.map((t) => t.ready)).to.deep.equal([false, true]);
      expect(text()).to.match(/timed out after [\d.]+ s; not ready: moved \(301\)/);
    } finally {
      await server.close();
    }
  });

  it("reports a refused connection as the error code", async () => {
    const server = await startServer(() => 200);
    await server.close();
    const { out, text } = captured();
    const url = `${server.baseUrl}/health`;
    const result = await runReadinessGate([{ name: "gone", path: "/health", expectStatus: 200, url }], {
      timeoutMs: 100,
      intervalMs: 50,
      out,
    });
    expect(result.ready).to.equal(false);
    expect(text()).to.match(/not ready: gone \(ECONNREFUSED\)/);
  });
});

describe("smoke checks per profile", () => {
  const reasons = (ctx: SmokeContext) =>
    new Map(smokeChecks.map((check) => [check.id, skipReason(check, ctx)] as const));

  it("locally skip Grafana, Loki and kubectl checks, and say why", () => {
    const local = reasons({ baseUrl: "http://x", profile: { kind: "local" } });
    expect(local.get("6.2.7a")).to.equal("the local profile does not run grafana");
    expect(local.get("6.2.15")).to.equal("the local profile does not run grafana, loki");
    expect(local.get("6.2.14")).to.match(/needs kubectl/);
    expect(
      reasons({ baseUrl: "http://x", profile: { kind: "local" }, natsMonitorUrl: "http://m" }).get("6.3.1b"),
    ).to.equal(undefined);
    for (const id of ["6.2.1", "6.2.7b", "6.2.11", "6.2.16e", "6.3.3", "6.3.6"])
      expect(local.get(id)).to.equal(undefined);
  });

  it("on a cluster run everything, except the observability checks when the stack is off", () => {
    const kube = { context: "kind-traderx-state-010", namespace: "traderx" };
    const full = reasons({ baseUrl: "http://x", profile: { kind: "kind", observability: true }, kube });
    const applicable = [...full].filter(([, reason]) => reason === undefined).map(([id]) => id);
    expect(applicable).to.include.members(["6.2.7a", "6.2.9", "6.2.10", "6.2.14", "6.2.15"]);
    const bare = reasons({ baseUrl: "http://x", profile: { kind: "kind", observability: false }, kube });
    for (const id of ["6.2.7a", "6.2.7b", "6.2.8", "6.2.9", "6.2.15"])
      expect(bare.get(id)).to.match(/does not run/);
    expect(bare.get("6.2.16e")).to.equal(undefined);
    expect(full.get("6.3.1b")).to.match(/monitoring port is not reachable/);
  });
});
