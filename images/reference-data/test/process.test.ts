import { expect } from "chai";
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import { freePort, startProcess, waitFor } from "@traderx/service-lib/testing";

describe("reference-data as a process", () => {
  it("logs JSON lines, exports spans over OTLP/HTTP and exits 0 on SIGTERM", async function () {
    this.timeout(30_000);
    // A real HTTP endpoint standing where the OpenTelemetry collector would be.
    const received: { path: string; contentType: string; bytes: number }[] = [];
    const collector = createServer((request: IncomingMessage, response) => {
      let bytes = 0;
      request.on("data", (chunk: Buffer) => (bytes += chunk.length));
      request.on("end", () => {
        received.push({ path: request.url ?? "", contentType: request.headers["content-type"] ?? "", bytes });
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    collector.listen(0, "127.0.0.1");
    await once(collector, "listening");
    const collectorPort = (collector.address() as { port: number }).port;

    const port = await freePort();
    const service = startProcess(
      process.execPath,
      ["--import", "tsx", "--conditions=source", fileURLToPath(new URL("../src/main.ts", import.meta.url))],
      {
        env: {
          ...process.env,
          REFERENCE_DATA_SERVICE_PORT: String(port),
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
        },
      },
    );
    try {
      await waitFor("reference-data", async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
      const response = await fetch(`http://127.0.0.1:${port}/stocks/IBM`, {
        headers: { "x-correlation-id": "proc-test" },
      });
      expect(response.status).to.equal(200);
      expect(await service.stop("SIGTERM")).to.equal(0);
    } finally {
      await service.stop("SIGKILL");
      collector.close();
    }
    const lines = service
      .output()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const request = lines.find((line) => line.msg === "request completed" && line.url === "/stocks/IBM");
    expect(request).to.include({
      service: "reference-data",
      level: "info",
      status: 200,
      correlation_id: "proc-test",
    });
    expect(request?.trace_id).to.match(/^[0-9a-f]{32}$/);
    expect(lines.some((line) => line.msg === "stopped")).to.equal(true);
    expect(received.some((post) => post.path === "/v1/traces" && post.bytes > 0)).to.equal(true);
  });
});
