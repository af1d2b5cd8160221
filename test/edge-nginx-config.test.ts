import { expect } from "chai";
import {
  PeerAddresses,
  Workload,
  catalog,
  clusterPeerAddresses,
  edgeUpstreams,
  selectWorkloads,
} from "../components/catalog";
import { LONG_LIVED_TIMEOUT_SECONDS, renderEdgeNginxConf } from "../components/edge/nginx-config";
import { EchoedRequest, freePort, httpGet, startEchoServer, waitFor } from "./support/http";
import { NginxWorkspace, nginxConfigTest, nginxWorkspace, startNginx } from "./support/nginx";
import { writeFile } from "node:fs/promises";

const everyWorkload = selectWorkloads({ observability: true });
const clusterPeers = clusterPeerAddresses(everyWorkload, "http://localhost:8080");

/** The body of the location block that starts with `head`, or throws when the config has none. */
function locationBody(conf: string, head: string): string {
  const start = conf.indexOf(`${head} {`);
  if (start < 0) throw new Error(`no "${head}" block in:\n${conf}`);
  return conf.slice(start, conf.indexOf("}", start));
}

/** Every upstream on one loopback echo server, so a test can see what each route forwards. */
function echoPeers(workloads: readonly Workload[], port: number): PeerAddresses {
  return {
    host: () => "127.0.0.1",
    port: () => port,
    url: () => `http://127.0.0.1:${port}`,
    has: (name) => workloads.some((w) => w.name === name),
    publicOrigin: "http://localhost",
  };
}

describe("edge nginx.conf renderer", () => {
  const conf = renderEdgeNginxConf({
    workloads: everyWorkload,
    peers: clusterPeers,
    listenPort: 8080,
    runtimeDir: "/tmp",
  });

  it("renders a location for every edge route in the catalog, proxying to the Service", () => {
    for (const workload of edgeUpstreams(everyWorkload)) {
      for (const route of workload.edgeRoutes) {
        const body = locationBody(conf, `location ${route.path}`);
        const port = workload.ports.find((p) => p.name === route.port)!.port;
        expect(body, route.path).to.contain(`proxy_pass http://${workload.name}:${port}`);
      }
    }
  });

  it("answers /health itself with ok and a single text/plain type, and 404s dev-server paths", () => {
    const health = locationBody(conf, "location = /health");
    expect(health).to.contain('return 200 "ok\\n";');
    expect(health.match(/default_type|add_header/g)).to.deep.equal(["default_type"]);
    expect(locationBody(conf, "location = /@vite/client")).to.contain("return 404;");
    expect(locationBody(conf, "location ^~ /@fs/")).to.contain("return 404;");
  });

  it("keeps /nats-ws as a websocket with long timeouts and no buffering", () => {
    const natsWs = locationBody(conf, "location /nats-ws");
    expect(natsWs).to.contain("proxy_pass http://nats-broker:8081;");
    expect(natsWs).to.contain("proxy_set_header Upgrade $http_upgrade;");
    expect(natsWs).to.contain("proxy_buffering off;");
    expect(natsWs).to.contain(`proxy_read_timeout ${LONG_LIVED_TIMEOUT_SECONDS}s;`);
    expect(natsWs).to.contain(`proxy_send_timeout ${LONG_LIVED_TIMEOUT_SECONDS}s;`);
  });

  it("puts the pid file and temp paths under the runtime folder and logs to stdout/stderr", () => {
    const local = renderEdgeNginxConf({
      workloads: everyWorkload,
      peers: clusterPeers,
      listenPort: 9000,
      runtimeDir: "/data/edge/",
    });
    expect(local).to.contain("pid /data/edge/nginx.pid;");
    for (const kind of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
      expect(local).to.contain(`${kind}_temp_path /data/edge/${kind};`);
    }
    expect(local).to.contain("listen 9000;");
    expect(local).to.contain("error_log stderr warn;");
    expect(local).to.contain("access_log /dev/stdout json;");
  });

  it("refuses two workloads that claim the same route", () => {
    const clash = { ...everyWorkload.find((w) => w.name === "reference-data")!, name: "reference-data-copy" };
    expect(() =>
      renderEdgeNginxConf({
        workloads: [...everyWorkload, clash],
        peers: clusterPeerAddresses([...everyWorkload, clash], "http://localhost:8080"),
        listenPort: 8080,
        runtimeDir: "/tmp",
      }),
    ).to.throw(/\/reference-data\/ is declared twice/);
  });
});

describe("edge nginx.conf with the real nginx", function () {
  this.timeout(30_000);
  let workspace: NginxWorkspace;

  beforeEach(async () => {
    workspace = await nginxWorkspace();
  });
  afterEach(async () => {
    await workspace.cleanup();
  });
  const writeClusterConf = () =>
    writeFile(
      workspace.confPath,
      renderEdgeNginxConf({
        workloads: everyWorkload,
        peers: clusterPeers,
        listenPort: 8080,
        runtimeDir: workspace.dir,
      }),
    );

  it("passes `nginx -t` with the cluster's Service names resolvable", async () => {
    await writeClusterConf();
    const result = await nginxConfigTest(
      workspace,
      everyWorkload.map((w) => w.name),
    );
    expect(result.ok, result.output).to.equal(true);
    expect(result.output).to.contain("test is successful");
  });

  it("fails `nginx -t` when an upstream name does not resolve, so the check above means something", async () => {
    await writeClusterConf();
    const result = await nginxConfigTest(
      workspace,
      everyWorkload.filter((w) => w.name !== "order-matcher").map((w) => w.name),
    );
    expect(result.ok).to.equal(false);
    expect(result.output).to.match(/host not found in upstream "order-matcher/);
  });

  describe("serving requests", () => {
    let edgePort: number;
    let echo: Awaited<ReturnType<typeof startEchoServer>>;
    let nginx: Awaited<ReturnType<typeof startNginx>>;
    const unavailable = ["price-publisher"];

    beforeEach(async () => {
      echo = await startEchoServer();
      edgePort = await freePort();
      await writeFile(
        workspace.confPath,
        renderEdgeNginxConf({
          workloads: catalog,
          peers: echoPeers(catalog, echo.port),
          listenPort: edgePort,
          runtimeDir: workspace.dir,
          unavailable,
          unavailableReason: "the test runtime has no price publisher",
        }),
      );
      nginx = await startNginx(workspace);
      await waitFor(() => httpGet(edgePort, "/health"));
    });
    afterEach(async () => {
      await nginx.stop();
      await echo.close();
    });

    const upstreamSaw = (body: string) => JSON.parse(body) as EchoedRequest;

    it("answers /health with `ok\\n` and exactly one Content-Type: text/plain", async () => {
      const answer = await httpGet(edgePort, "/health");
      expect(answer.status).to.equal(200);
      expect(answer.body).to.equal("ok\n");
      const types = answer.rawHeaders.filter(
        (_, i) => i % 2 === 0 && answer.rawHeaders[i].toLowerCase() === "content-type",
      );
      expect(types).to.have.length(1);
      expect(answer.headers["content-type"]).to.equal("text/plain");
    });

    it("404s /@vite/client and anything under /@fs/", async () => {
      expect((await httpGet(edgePort, "/@vite/client")).status).to.equal(404);
      expect((await httpGet(edgePort, "/@fs/package.json")).status).to.equal(404);
    });

    it("strips the prefix and adds no forwarded headers for reference-data", async () => {
      const seen = upstreamSaw((await httpGet(edgePort, "/reference-data/stocks/IBM")).body);
      expect(seen.url).to.equal("/stocks/IBM");
      expect(seen.headers.host).to.equal(`127.0.0.1:${echo.port}`);
      expect(seen.headers).not.to.have.property("x-forwarded-prefix");
      expect(seen.headers).not.to.have.property("x-forwarded-for");
    });

    it("strips the prefix and sends the forwarded set for the other services", async () => {
      const answer = await httpGet(edgePort, "/account-service/account/22214", { host: "localhost:8080" });
      const seen = upstreamSaw(answer.body);
      expect(seen.url).to.equal("/account/22214");
      expect(seen.headers).to.include({
        host: "localhost:8080",
        "x-forwarded-host": "localhost:8080",
        "x-forwarded-proto": "http",
        "x-forwarded-prefix": "/account-service",
        "x-forwarded-for": "127.0.0.1",
      });
    });

    it("redirects a bare service prefix to its slash form, relative to the host", async () => {
      const answer = await httpGet(edgePort, "/order-matcher");
      expect(answer.status).to.equal(301);
      expect(answer.headers.location).to.equal("/order-matcher/");
    });

    it("redirects /api/docs to /api/docs/ and keeps the path and prefix for the API explorer", async () => {
      const redirect = await httpGet(edgePort, "/api/docs");
      expect(redirect.status).to.equal(301);
      expect(redirect.headers.location).to.equal("/api/docs/");
      const seen = upstreamSaw((await httpGet(edgePort, "/api/docs/catalog.json")).body);
      expect(seen.url).to.equal("/api/docs/catalog.json");
      expect(seen.headers).to.include({ "x-forwarded-prefix": "/api/docs", "x-forwarded-proto": "http" });
    });

    it("upgrades /nats-ws to a websocket with the client's Host and the URI unchanged", async () => {
      const answer = await httpGet(edgePort, "/nats-ws", {
        host: "localhost:8080",
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      });
      expect(answer.status).to.equal(101);
      const seen = JSON.parse(
        Buffer.from(String(answer.headers["x-echo"]), "base64").toString(),
      ) as EchoedRequest;
      expect(seen.url).to.equal("/nats-ws");
      expect(seen.headers).to.include({
        host: "localhost:8080",
        upgrade: "websocket",
        connection: "upgrade",
      });
    });

    it("passes the SPA catch-all through unchanged, without an upgrade on plain requests", async () => {
      const seen = upstreamSaw((await httpGet(edgePort, "/trade")).body);
      expect(seen.url).to.equal("/trade");
      expect(seen.headers).not.to.have.property("connection");
      expect(seen.headers).not.to.have.property("upgrade");
    });

    it("answers the routes of an unavailable workload with a plain 503 that says why", async () => {
      for (const path of ["/price-publisher", "/price-publisher/", "/price-publisher/prices/IBM"]) {
        const answer = await httpGet(edgePort, path);
        expect(answer.status, path).to.equal(503);
        expect(answer.headers["content-type"]).to.equal("text/plain");
        expect(answer.body).to.equal(
          "price-publisher (/price-publisher/) is unavailable: the test runtime has no price publisher.\n",
        );
      }
    });

    it("writes one JSON access-log line per proxied request", async () => {
      await httpGet(edgePort, "/position-service/positions/22214");
      const line = await waitFor(async () => {
        const found = nginx
          .logs()
          .split("\n")
          .find((l) => l.includes("/position-service/positions/22214"));
        if (!found) throw new Error(`no access-log line yet in:\n${nginx.logs()}`);
        return found;
      });
      expect(JSON.parse(line)).to.include({
        method: "GET",
        status: "200",
        uri: "/position-service/positions/22214",
      });
    });
  });
});
