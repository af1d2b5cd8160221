import { ConfigError } from "@traderx/service-lib";
import { describe, expect, it } from "vitest";
import { parseServices, renderCatalog } from "../src/server/catalog.js";
import { renderIndexPage } from "../src/server/pages.js";

const SERVICES = [
  { id: "account-service", name: "Accounts", runtimeBasePath: "/account-service", specPath: "/v3/api-docs" },
  {
    id: "people-service",
    name: "People",
    runtimeBasePath: "/people-service/",
    specPath: "/swagger/v1/swagger.json",
  },
];

describe("API_EXPLORER_SERVICES", () => {
  it("reads the services the deployment rendered from the catalog", () => {
    const services = parseServices({ API_EXPLORER_SERVICES: JSON.stringify(SERVICES) });
    expect(services.map((s) => s.runtimeBasePath)).toEqual(["/account-service", "/people-service"]);
  });

  it("names the key and the fix when the value is unusable", () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /API_EXPLORER_SERVICES: is not set/],
      ["{nope", /is not valid JSON/],
      ['{"id":"x"}', /is not a JSON array/],
      ['[{"id":"x","name":"X","runtimeBasePath":"/x"}]', /entry 0 has no "specPath" string/],
      [
        '[{"id":"x","name":"X","runtimeBasePath":"x","specPath":"/d"}]',
        /"runtimeBasePath" must start with "\/"/,
      ],
    ];
    for (const [value, message] of cases) {
      expect(() => parseServices({ API_EXPLORER_SERVICES: value })).toThrow(ConfigError);
      expect(() => parseServices({ API_EXPLORER_SERVICES: value })).toThrow(message);
    }
  });
});

describe("catalog.json", () => {
  const catalog = renderCatalog(
    parseServices({ API_EXPLORER_SERVICES: JSON.stringify(SERVICES) }),
    new Date(0),
  );

  it("has the contract 1.11 shape with same-origin spec URLs", () => {
    expect(catalog).toMatchObject({
      generatedAtUtc: "1970-01-01T00:00:00.000Z",
      stateId: "010-kubernetes-runtime",
      mountPath: "/api/docs",
      pubSubInspectorEnabled: true,
    });
    expect(catalog.services[1]).toEqual({
      id: "people-service",
      name: "People",
      specUrl: "/people-service/swagger/v1/swagger.json",
      runtimeSpecPath: "/people-service/swagger/v1/swagger.json",
      runtimeBasePath: "/people-service",
      contractUrl: "/people-service/swagger/v1/swagger.json",
      interactive: true,
    });
  });

  it("lists the six subject families with the literal patterns of contract 9", () => {
    expect(catalog.messagingSubjects.map((s) => s.pattern)).toEqual([
      "/trades",
      "/accounts/<accountId>/trades",
      "/accounts/<accountId>/positions",
      "pricing.*",
      "/accounts/<accountId>/orders",
      "/orders",
    ]);
    const pricing = catalog.messagingSubjects.find((s) => s.pattern === "pricing.*")!;
    expect(pricing).toMatchObject({ wildcard: true, prefillPattern: "pricing.{TICKER}" });
    expect(catalog.messagingSubjects.filter((s) => s.wildcard)).toHaveLength(1);
    expect(
      catalog.messagingSubjects.find((s) => s.pattern === "/accounts/<accountId>/orders")!.prefillPattern,
    ).toBe("/accounts/{accountId}/orders");
  });
});

describe("index page", () => {
  const html = renderIndexPage(parseServices({ API_EXPLORER_SERVICES: JSON.stringify(SERVICES) }));

  it("lists every service's live document and its viewer", () => {
    expect(html).toContain('href="/account-service/v3/api-docs"');
    expect(html).toContain('href="/people-service/swagger/v1/swagger.json"');
    expect(html).toContain('href="viewer.html?service=people-service"');
  });

  it("links the inspector via window.location.href and links back to /", () => {
    expect(html).toContain("pubsub-inspector.html");
    expect(html).toContain("window.location.href");
    expect(html).toContain('href="/"');
  });

  it("escapes names", () => {
    const page = renderIndexPage([{ id: "x", name: "<b>&", runtimeBasePath: "/x", specPath: "/d" }]);
    expect(page).toContain("&lt;b&gt;&amp;");
  });
});

describe("viewer", () => {
  it("points Try it out at the edge prefix unless the document names its servers", async () => {
    const { withEdgeServer } = await import("../src/site/viewer.js");
    expect(withEdgeServer({ openapi: "3.0.3" }, "/account-service").servers).toEqual([
      { url: "/account-service" },
    ]);
    const own = { openapi: "3.0.3", servers: [{ url: "/x" }] };
    expect(withEdgeServer(own, "/account-service")).toBe(own);
  });
});
