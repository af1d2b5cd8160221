// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, startProcess, waitFor, type TestProcess } from "@traderx/service-lib/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SHELL = "<!doctype html><title>FINOS | TraderX Sample Application</title><app-root></app-root>";

/** The server as the container runs it, from its TypeScript source (service-lib via its `source` export). */
function startServer(env: Record<string, string>): TestProcess {
  return startProcess(process.execPath, ["--conditions=source", "--import", "tsx", "src/main.ts"], {
    env: { ...process.env, ...env },
  });
}

describe("web server", () => {
  let staticDir: string;
  let server: TestProcess;
  let base: string;

  beforeAll(async () => {
    staticDir = mkdtempSync(path.join(tmpdir(), "traderx-web-"));
    mkdirSync(path.join(staticDir, "assets/app"), { recursive: true });
    mkdirSync(path.join(staticDir, "assets/img"), { recursive: true });
    writeFileSync(path.join(staticDir, "index.html"), SHELL);
    writeFileSync(path.join(staticDir, "assets/app/index-abc123.js"), "console.log(1)");
    writeFileSync(path.join(staticDir, "assets/img/traderx-icon.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(path.join(staticDir, "assets/state-ui.json"), '{"stateId":"010-kubernetes-runtime"}');
    const port = await freePort();
    server = startServer({ WEB_SERVICE_PORT: String(port), WEB_STATIC_DIR: staticDir });
    base = `http://127.0.0.1:${port}`;
    await waitFor("web server", async () => (await fetch(`${base}/healthz`)).ok, 20_000);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it("answers every client route with the shell (SPA fallback)", async () => {
    for (const route of ["/", "/trade", "/account", "/admin", "/about", "/status", "/no/such/page?x=1"]) {
      const response = await fetch(`${base}${route}`);
      expect(response.status, route).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toContain("<app-root>");
    }
  });

  it("serves files with the right types and caching, and 404s missing files", async () => {
    const bundle = await fetch(`${base}/assets/app/index-abc123.js`);
    expect(bundle.headers.get("cache-control")).toContain("immutable");
    const icon = await fetch(`${base}/assets/img/traderx-icon.png`);
    expect(icon.headers.get("content-type")).toBe("image/png");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
    const stateUi = await fetch(`${base}/assets/state-ui.json`);
    expect(await stateUi.json()).toEqual({ stateId: "010-kubernetes-runtime" });
    const missing = await fetch(`${base}/assets/app/index-gone.js`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain("/assets/app/index-gone.js");
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    const outside = `${path.basename(staticDir)}-outside.txt`;
    writeFileSync(path.join(staticDir, "..", outside), "not for the web");
    try {
      const escape = await fetch(`${base}/assets/..%2f..%2f..%2f${outside}`);
      expect(escape.status).not.toBe(200);
    } finally {
      rmSync(path.join(staticDir, "..", outside));
    }
  });

  it("serves files a rebuild added after the start", async () => {
    writeFileSync(path.join(staticDir, "assets/app/index-new456.js"), "console.log(2)");
    const rebuilt = await fetch(`${base}/assets/app/index-new456.js`);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.get("cache-control")).toContain("immutable");
    expect(await rebuilt.text()).toBe("console.log(2)");
  });

  it("reports health on /healthz", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "UP" });
  });

  it("refuses to start without a built client, naming the fix", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "traderx-web-empty-"));
    try {
      const failed = startServer({ WEB_SERVICE_PORT: String(await freePort()), WEB_STATIC_DIR: empty });
      expect(await failed.exited).toBe(1);
      expect(failed.output()).toContain("npm run build");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 30_000);

  it("exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const stopping = startServer({ WEB_SERVICE_PORT: String(port), WEB_STATIC_DIR: staticDir });
    await waitFor(
      "second web server",
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
      20_000,
    );
    stopping.child.kill("SIGTERM");
    expect(await stopping.exited).toBe(0);
  }, 30_000);
});
