import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { freePort, startProcess, waitFor, type TestProcess } from "@traderx/service-lib/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVICES = JSON.stringify([
  { id: "account-service", name: "Accounts", runtimeBasePath: "/account-service", specPath: "/v3/api-docs" },
  {
    id: "people-service",
    name: "People",
    runtimeBasePath: "/people-service",
    specPath: "/swagger/v1/swagger.json",
  },
]);
const tsx = (script: string) =>
  [process.execPath, ["--conditions=source", "--import", "tsx", script]] as const;

/** The explorer as the container runs it, from its TypeScript source, on a site built into a temp dir. */
function startExplorer(env: Record<string, string>): TestProcess {
  const [node, args] = tsx("src/main.ts");
  return startProcess(node, [...args], { env: { ...process.env, ...env } });
}

describe("API explorer server", () => {
  let siteDir: string;
  let server: TestProcess;
  let base: string;

  beforeAll(async () => {
    siteDir = path.join(mkdtempSync(path.join(tmpdir(), "traderx-explorer-")), "site");
    const [node, args] = tsx("scripts/build-site.ts");
    execFileSync(node, [...args, siteDir]);
    const port = await freePort();
    server = startExplorer({
      API_EXPLORER_PORT: String(port),
      API_EXPLORER_SERVICES: SERVICES,
      API_EXPLORER_SITE_DIR: siteDir,
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor("api explorer", async () => (await fetch(`${base}/healthz`)).ok, 20_000);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(path.dirname(siteDir), { recursive: true, force: true });
  });

  it("serves the index under /api/docs/ and redirects the bare mount path", async () => {
    const index = await fetch(`${base}/api/docs/`);
    expect(index.headers.get("content-type")).toContain("text/html");
    const html = await index.text();
    expect(html).toContain("/people-service/swagger/v1/swagger.json");
    expect(html).toContain("pubsub-inspector.html");
    const bare = await fetch(`${base}/api/docs`, { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).toEqual([301, "/api/docs/"]);
  });

  it("serves catalog.json with every configured service", async () => {
    const catalog = await (await fetch(`${base}/api/docs/catalog.json`)).json();
    expect(catalog.services.map((s: { specUrl: string }) => s.specUrl)).toEqual([
      "/account-service/v3/api-docs",
      "/people-service/swagger/v1/swagger.json",
    ]);
    expect(catalog.messagingSubjects).toHaveLength(6);
  });

  it("serves the inspector under both names, with its controls, buffer and vendored client", async () => {
    for (const name of ["pubsub-inspector.html", "pubsub-inspector"]) {
      const response = await fetch(`${base}/api/docs/${name}`);
      expect(response.headers.get("content-type"), name).toContain("text/html");
      const html = await response.text();
      for (const required of [
        "MAX_BUFFER = 2000",
        'id="filter-input"',
        'id="pause-btn"',
        'id="clear-btn"',
        "./vendor/nats.ws/nats.js",
        'href="/"',
      ]) {
        expect(html, required).toContain(required);
      }
      expect(html).not.toMatch(/cdn|unpkg|jsdelivr|https?:\/\//i);
    }
    const client = await fetch(`${base}/api/docs/vendor/nats.ws/nats.js`);
    expect(client.headers.get("content-type")).toContain("javascript");
    // The page imports { wsconnect } from it, so the bundle must really export it as an ES module.
    const vendored = await import(pathToFileURL(path.join(siteDir, "vendor/nats.ws/nats.js")).href);
    expect(typeof vendored.wsconnect).toBe("function");
    expect(client.ok).toBe(true);
    expect((await fetch(`${base}/api/docs/vendor/swagger-ui/swagger-ui-bundle.js`)).status).toBe(200);
    const viewer = await (await fetch(`${base}/api/docs/viewer.html?service=people-service`)).text();
    expect(viewer).toContain('<script src="vendor/swagger-ui/swagger-ui-bundle.js"></script>');
  });

  it("exits with the key and the fix when API_EXPLORER_SERVICES is missing", async () => {
    const failed = startExplorer({
      API_EXPLORER_PORT: String(await freePort()),
      API_EXPLORER_SITE_DIR: siteDir,
    });
    expect(await failed.exited).toBe(1);
    expect(failed.output()).toContain("config API_EXPLORER_SERVICES: is not set");
  }, 30_000);
});
