import { expect } from "chai";
import { Service, Type, type HttpService } from "../src/index.js";

describe("http service", () => {
  let service: Service;
  let app: HttpService;
  let base: string;
  let dependencyUp = true;
  const logLines: string[] = [];

  before(async () => {
    service = new Service(
      "lib-test",
      { CORS_ALLOWED_ORIGINS: "http://localhost:8080" },
      {
        write: (line: string) => logLines.push(line),
      },
    );
    service.addReadinessCheck({ name: "dependency", isReady: () => dependencyUp });
    app = await service.httpService({ title: "lib test", openApiPaths: ["/v3/api-docs"] });
    app.post(
      "/items/",
      {
        schema: {
          body: Type.Object({
            id: Type.Integer(),
            side: Type.Union([Type.Literal("Buy"), Type.Literal("Sell")]),
          }),
        },
      },
      async (request) => {
        request.log.info("handling item");
        return { ok: request.body.id };
      },
    );
    app.get("/items/:id", { schema: { params: Type.Object({ id: Type.Integer() }) } }, async (request) => ({
      id: request.params.id,
    }));
    app.get(
      "/search",
      {
        schema: {
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer()),
            price: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            text: Type.Optional(Type.String()),
          }),
        },
      },
      async (request) => request.query,
    );
    app.get("/boom", async () => {
      throw new Error("unexpected");
    });
    const port = await service.listen(app, 0, "127.0.0.1");
    base = `http://127.0.0.1:${port}`;
  });
  after(() => service.stop());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });

  it("answers malformed JSON, schema failures and bad path ids with 400 and a JSON error", async () => {
    for (const response of [
      await post("/items/", "{not json"),
      await post("/items/", JSON.stringify({ id: "x", side: "Buy" })),
      await post("/items/", JSON.stringify({ id: 1, side: "Hold" })),
      await post("/items/", JSON.stringify({ side: "Buy" })),
      await fetch(`${base}/items/abc`),
    ]) {
      expect(response.status).to.equal(400);
      const body = (await response.json()) as { error: string };
      expect(body.error).to.be.a("string").with.length.greaterThan(0);
    }
  });

  it("refuses out-of-range numerals in typed path and query values, and keeps them in text", async () => {
    for (const [path, field] of [
      ["/items/1e400", "params/id"],
      ["/search?limit=1e400", "querystring/limit"],
      ["/search?limit=-Infinity", "querystring/limit"],
      ["/search?price=9e999", "querystring/price"],
      ["/search?limit=9007199254740993", "querystring/limit"],
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).to.equal(400);
      expect(await response.json()).to.deep.equal({ error: `${field} is out of range` });
    }
    const response = await fetch(`${base}/search?limit=5&price=1e300&text=1e400`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ limit: 5, price: 1e300, text: "1e400" });
  });

  it("hides unexpected errors behind a 500 JSON error", async () => {
    const response = await fetch(`${base}/boom`);
    expect(response.status).to.equal(500);
    expect(await response.json()).to.deep.equal({ error: "internal server error" });
  });

  it("accepts paths with and without the trailing slash", async () => {
    expect((await post("/items", JSON.stringify({ id: 1, side: "Buy" }))).status).to.equal(200);
    expect((await post("/items/", JSON.stringify({ id: 2, side: "Sell" }))).status).to.equal(200);
  });

  it("echoes a listed origin, omits the header for others, and never refuses the request", async () => {
    const listed = await fetch(`${base}/items/1`, { headers: { origin: "http://localhost:8080" } });
    expect(listed.headers.get("access-control-allow-origin")).to.equal("http://localhost:8080");
    const other = await fetch(`${base}/items/1`, { headers: { origin: "http://evil.example" } });
    expect(other.status).to.equal(200);
    expect(other.headers.get("access-control-allow-origin")).to.equal(null);
    const preflight = await fetch(`${base}/items/`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:8080", "access-control-request-method": "POST" },
    });
    expect(preflight.status).to.be.lessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).to.equal("http://localhost:8080");
  });

  it("keeps the caller's correlation id and continues its trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${base}/items/7`, {
      headers: { "x-correlation-id": "corr-123", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.headers.get("x-correlation-id")).to.equal("corr-123");
    const handled = await post("/items/", JSON.stringify({ id: 9, side: "Buy" }), {
      "x-correlation-id": "corr-456",
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(handled.status).to.equal(200);
    // The handler's line is written after the body was read from stream events, so it proves the
    // request context survives them.
    const line = logLines
      .map((text) => JSON.parse(text))
      .find((entry) => entry.msg === "handling item" && entry.correlation_id === "corr-456");
    expect(line).to.include({ trace_id: traceId, correlation_id: "corr-456", service: "lib-test" });
    expect(line.traceparent).to.match(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const fresh = await fetch(`${base}/items/7`);
    expect(fresh.headers.get("x-correlation-id")).to.match(/^[0-9a-f-]{36}$/);
  });

  it("records http_server_requests_seconds by route template", async () => {
    await fetch(`${base}/items/42`);
    const text = await (await fetch(`${base}/actuator/prometheus`)).text();
    expect(text).to.match(
      /http_server_requests_seconds_count\{[^}]*method="GET"[^}]*uri="\/items\/:id"[^}]*status="200"/,
    );
    expect(text).not.to.contain('uri="/items/42"');
  });

  it("generates the OpenAPI document from the route schemas", async () => {
    const document = (await (await fetch(`${base}/v3/api-docs`)).json()) as {
      openapi: string;
      paths: object;
    };
    expect(document.openapi).to.match(/^3\./);
    expect(document.paths).to.have.property("/items/");
    expect(document.paths).to.have.property("/items/{id}");
  });

  it("reports readiness from its checks and keeps liveness up", async () => {
    expect((await fetch(`${base}/actuator/health/readiness`)).status).to.equal(200);
    dependencyUp = false;
    const down = await fetch(`${base}/actuator/health`);
    expect(down.status).to.equal(503);
    expect(((await down.json()) as { components: object }).components).to.deep.equal({
      dependency: { status: "DOWN" },
    });
    expect((await fetch(`${base}/actuator/health/liveness`)).status).to.equal(200);
    dependencyUp = true;
  });
});
