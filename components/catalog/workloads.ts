/**
 * The TraderX workloads: services we build under `images/`, and the pinned data, messaging and edge
 * components they need. Ports, paths and environment names follow contract.md sections 0, 1.1 and 5.
 * The observability stack adds its own entries in `observability.ts`.
 */
import { HttpCheck, PeerAddresses, Workload, WorkloadProbes, WorkloadResources } from "./types";

export const TICKER_UNIVERSE = [
  "AAPL",
  "MSFT",
  "AMZN",
  "GOOGL",
  "META",
  "NVDA",
  "TSLA",
  "IBM",
  "BAC",
  "C",
  "JPM",
  "GS",
  "MS",
  "UBS",
  "DB",
  "COF",
  "DFS",
  "FNMA",
  "FIS",
  "FNF",
].join(",");

/** uid of the `node` user in the Node.js base images every built service uses. */
const NODE_UID = 1000;

/** Grace period of the Node.js services: 5 s preStop drain plus up to 20 s of in-flight work. */
const SERVICE_GRACE_SECONDS = 30;

const nodeServiceResources: WorkloadResources = {
  requests: { cpu: "50m", memory: "96Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

/** Probes of a Node.js service: liveness says the process answers, readiness that its dependencies do. */
function nodeServiceProbes(livenessPath: string, readinessPath: string): WorkloadProbes {
  return {
    readiness: { kind: "http", path: readinessPath, port: "http", periodSeconds: 5, timeoutSeconds: 3 },
    liveness: {
      kind: "http",
      path: livenessPath,
      port: "http",
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    startup: { kind: "http", path: livenessPath, port: "http", periodSeconds: 2, failureThreshold: 30 },
  };
}

/** Settings every HTTP service of TraderX reads (contract 1.1). */
function commonServiceEnv(peers: PeerAddresses): Record<string, string> {
  const env: Record<string, string> = { CORS_ALLOWED_ORIGINS: peers.publicOrigin };
  if (peers.has("otel-collector")) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = peers.url("otel-collector", "otlp-http");
  }
  return env;
}

function natsAddress(peers: PeerAddresses): string {
  return `nats://${peers.host("nats-broker")}:${peers.port("nats-broker", "client")}`;
}

/** The route every service behind the edge gets: prefix stripped, forwarded headers set. */
function forwardedRoute(service: string): Workload["edgeRoutes"][number] {
  return {
    path: `/${service}/`,
    port: "http",
    upstreamPath: "strip",
    headers: "forwarded",
    forwardedPrefix: `/${service}`,
  };
}

function check(name: string, path: string, expectStatus = 200): HttpCheck {
  return { name, path, expectStatus };
}

/** Fields every service built from `images/<name>` shares. */
function builtService(
  name: string,
  fields: Omit<
    Workload,
    "name" | "image" | "kind" | "runAsUser" | "terminationGracePeriodSeconds" | "resources" | "tier"
  > &
    Partial<Pick<Workload, "resources" | "tier">>,
): Workload {
  return {
    name,
    tier: "app",
    image: { kind: "built", folder: name },
    kind: "Deployment",
    runAsUser: NODE_UID,
    terminationGracePeriodSeconds: SERVICE_GRACE_SECONDS,
    resources: nodeServiceResources,
    ...fields,
    // Services send traces to the collector when it is deployed (see commonServiceEnv); a call to a
    // workload that is not deployed yields no network rule.
    calls: (fields.tier ?? "app") === "app" ? [...fields.calls, "otel-collector"] : fields.calls,
  };
}

/**
 * What the API explorer lists: every workload with a live OpenAPI document, addressed through the edge.
 * Rendered into the explorer's env, so its index never keeps a second list of services.
 */
function apiExplorerServices(): { id: string; name: string; runtimeBasePath: string; specPath: string }[] {
  return traderxWorkloads
    .filter((w) => w.openApiPath && w.edgeRoutes.length > 0)
    .map((w) => ({
      id: w.name,
      name: w.description,
      runtimeBasePath: w.edgeRoutes[0].path.replace(/\/$/, ""),
      specPath: w.openApiPath!,
    }));
}

export const traderxWorkloads: Workload[] = [
  {
    name: "database",
    tier: "data",
    description: "PostgreSQL 16 holding accounts, trades, positions and the order book, on a PVC.",
    image: { kind: "pinned", ref: "postgres:16.10-alpine3.22" },
    kind: "StatefulSet",
    ports: [{ name: "postgres", port: 5432 }],
    env: () => ({
      POSTGRES_DB: "traderx",
      POSTGRES_USER: "traderx",
      PGDATA: "/var/lib/postgresql/data/pgdata",
    }),
    probes: {
      readiness: {
        kind: "exec",
        command: ["pg_isready", "-U", "traderx", "-d", "traderx"],
        periodSeconds: 5,
        timeoutSeconds: 3,
      },
      liveness: {
        kind: "exec",
        command: ["pg_isready", "-U", "traderx", "-d", "traderx"],
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 6,
      },
      startup: {
        kind: "exec",
        command: ["pg_isready", "-U", "traderx", "-d", "traderx"],
        periodSeconds: 2,
        failureThreshold: 60,
      },
    },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    metrics: undefined,
    calls: [],
    edgeRoutes: [],
    probeTargets: [],
    readinessChecks: [],
    runAsUser: 70,
    terminationGracePeriodSeconds: 60,
  },
  {
    name: "nats-broker",
    tier: "messaging",
    description: "NATS with JetStream on a PVC; websocket on 8081 for browsers, monitoring on 8222.",
    image: { kind: "pinned", ref: "nats:2.11.9-alpine3.22" },
    kind: "StatefulSet",
    ports: [
      { name: "client", port: 4222 },
      { name: "monitor", port: 8222 },
      { name: "ws", port: 8081 },
    ],
    env: () => ({}),
    probes: {
      readiness: { kind: "http", path: "/healthz?js-enabled-only=true", port: "monitor", periodSeconds: 5 },
      liveness: { kind: "http", path: "/healthz", port: "monitor", periodSeconds: 10, failureThreshold: 3 },
      startup: { kind: "http", path: "/healthz", port: "monitor", periodSeconds: 2, failureThreshold: 30 },
    },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    calls: [],
    edgeRoutes: [
      {
        path: "/nats-ws",
        port: "ws",
        upstreamPath: "keep",
        headers: "host",
        websocket: true,
        longLived: true,
      },
    ],
    probeTargets: [{ port: "monitor", path: "/varz" }],
    readinessChecks: [],
    runAsUser: 1000,
    terminationGracePeriodSeconds: 30,
  },
  {
    name: "database-migrations",
    tier: "data",
    description: "Applies the versioned schema migrations and creates one role per service, then exits.",
    image: { kind: "built", folder: "database-migrations" },
    kind: "Job",
    ports: [],
    env: () => ({}),
    database: { role: "traderx", owner: true },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    calls: ["database"],
    edgeRoutes: [],
    probeTargets: [],
    readinessChecks: [],
    runAsUser: NODE_UID,
    terminationGracePeriodSeconds: 30,
  },
  builtService("reference-data", {
    description: "The 20-ticker security universe (contract 1.2).",
    ports: [{ name: "http", port: 18085 }],
    env: (peers) => ({
      ...commonServiceEnv(peers),
      REFERENCE_DATA_SERVICE_PORT: "18085",
      REFERENCE_DATA_SUPPORTED_TICKERS: TICKER_UNIVERSE,
    }),
    probes: nodeServiceProbes("/health", "/health"),
    metrics: { path: "/metrics", port: "http", job: "traderx-services" },
    openApiPath: "/v3/api-docs",
    calls: [],
    // reference-data gets no forwarded headers: the upstream sees its own Service name as Host.
    edgeRoutes: [{ path: "/reference-data/", port: "http", upstreamPath: "strip", headers: "none" }],
    probeTargets: [{ port: "http", path: "/stocks" }],
    readinessChecks: [check("reference-data", "/reference-data/health")],
  }),
  builtService("people-service", {
    description: "The people directory (contract 1.3).",
    ports: [{ name: "http", port: 18089 }],
    env: (peers) => ({ ...commonServiceEnv(peers), PEOPLE_SERVICE_PORT: "18089" }),
    probes: nodeServiceProbes("/health/alive", "/health/ready"),
    metrics: { path: "/metrics", port: "http", job: "traderx-services" },
    openApiPath: "/swagger/v1/swagger.json",
    calls: [],
    edgeRoutes: [forwardedRoute("people-service")],
    probeTargets: [{ port: "http", path: "/swagger" }],
    readinessChecks: [check("people-service", "/people-service/People/ValidatePerson?LogonId=user01")],
  }),
  builtService("account-service", {
    description: "Accounts and account users (contract 1.4).",
    ports: [{ name: "http", port: 18088 }],
    env: (peers) => ({
      ...commonServiceEnv(peers),
      ACCOUNT_SERVICE_PORT: "18088",
      PEOPLE_SERVICE_URL: peers.url("people-service", "http"),
    }),
    database: { role: "account_service" },
    probes: nodeServiceProbes("/actuator/health/liveness", "/actuator/health/readiness"),
    metrics: { path: "/actuator/prometheus", port: "http", job: "traderx-spring-boot-actuator" },
    openApiPath: "/v3/api-docs",
    calls: ["database", "people-service"],
    edgeRoutes: [forwardedRoute("account-service")],
    probeTargets: [{ port: "http", path: "/account/22214" }],
    readinessChecks: [
      check("account-service", "/account-service/actuator/health"),
      check("account-lookup", "/account-service/account/22214"),
    ],
  }),
  builtService("position-service", {
    description: "Trades and positions per account (contract 1.5).",
    ports: [{ name: "http", port: 18090 }],
    env: (peers) => ({ ...commonServiceEnv(peers), POSITION_SERVICE_PORT: "18090" }),
    database: { role: "position_service" },
    probes: nodeServiceProbes("/health/alive", "/actuator/health/readiness"),
    metrics: { path: "/actuator/prometheus", port: "http", job: "traderx-spring-boot-actuator" },
    openApiPath: "/v3/api-docs",
    calls: ["database"],
    edgeRoutes: [forwardedRoute("position-service")],
    probeTargets: [{ port: "http", path: "/health/alive" }],
    readinessChecks: [check("position-service", "/position-service/health/ready")],
  }),
  builtService("trade-processor", {
    description: "Books trades from the durable /trades stream into trades and positions (contract 1.7).",
    ports: [{ name: "http", port: 18091 }],
    env: (peers) => ({
      ...commonServiceEnv(peers),
      TRADE_PROCESSOR_SERVICE_PORT: "18091",
      NATS_ADDRESS: natsAddress(peers),
    }),
    database: { role: "trade_processor" },
    probes: nodeServiceProbes("/actuator/health/liveness", "/actuator/health/readiness"),
    metrics: { path: "/actuator/prometheus", port: "http", job: "traderx-spring-boot-actuator" },
    openApiPath: "/v3/api-docs",
    calls: ["database", "nats-broker"],
    edgeRoutes: [forwardedRoute("trade-processor")],
    probeTargets: [{ port: "http", path: "/system/health" }],
    readinessChecks: [check("trade-processor", "/trade-processor/health")],
  }),
  builtService("trade-service", {
    description: "Accepts market trade tickets and publishes them to /trades (contract 1.6).",
    ports: [{ name: "http", port: 18092 }],
    env: (peers) => ({
      ...commonServiceEnv(peers),
      TRADING_SERVICE_PORT: "18092",
      NATS_ADDRESS: natsAddress(peers),
      REFERENCE_DATA_URL: peers.url("reference-data", "http"),
      ACCOUNT_SERVICE_URL: peers.url("account-service", "http"),
      PRICE_SERVICE_URL: peers.url("price-publisher", "http"),
    }),
    probes: nodeServiceProbes("/actuator/health/liveness", "/actuator/health/readiness"),
    metrics: { path: "/actuator/prometheus", port: "http", job: "traderx-spring-boot-actuator" },
    openApiPath: "/v3/api-docs",
    calls: ["nats-broker", "reference-data", "account-service", "price-publisher"],
    edgeRoutes: [forwardedRoute("trade-service")],
    probeTargets: [{ port: "http", path: "/v3/api-docs" }],
    readinessChecks: [check("trade-service", "/trade-service/health")],
  }),
  builtService("price-publisher", {
    description: "Random-walk price ticks on pricing.<TICKER> and REST quotes (contract 1.8).",
    ports: [{ name: "http", port: 18100 }],
    env: (peers) => ({
      ...commonServiceEnv(peers),
      PRICE_PUBLISHER_PORT: "18100",
      NATS_ADDRESS: natsAddress(peers),
      PRICE_BOOTSTRAP_MODE: "snapshot",
      PRICE_TICKERS: TICKER_UNIVERSE,
      PRICE_PUBLISH_INTERVAL_MIN_MS: "750",
      PRICE_PUBLISH_INTERVAL_MAX_MS: "1500",
      PRICE_PUBLISH_BATCH_RATIO: "0.25",
    }),
    probes: nodeServiceProbes("/health", "/health"),
    metrics: { path: "/metrics", port: "http", job: "traderx-services" },
    openApiPath: "/v3/api-docs",
    singleton: "every replica would publish its own random walk, doubling the tick rate",
    calls: ["nats-broker"],
    edgeRoutes: [forwardedRoute("price-publisher")],
    probeTargets: [
      { port: "http", path: "/health" },
      { port: "http", path: "/prices/IBM" },
    ],
    readinessChecks: [check("price-publisher", "/price-publisher/health")],
  }),
  builtService("order-matcher", {
    description: "Limit orders and the indexed matcher that fills them through trade-service (contract 1.9).",
    ports: [{ name: "http", port: 18110 }],
    env: (peers) => ({
      ...commonServiceEnv(peers),
      ORDER_MATCHER_PORT: "18110",
      NATS_ADDRESS: natsAddress(peers),
      PRICE_SERVICE_URL: peers.url("price-publisher", "http"),
      TRADE_SERVICE_URL: `${peers.url("trade-service", "http")}/trade/`,
      ACCOUNT_SERVICE_URL: peers.url("account-service", "http"),
      REFERENCE_DATA_URL: peers.url("reference-data", "http"),
      ORDER_MATCHER_TICK_MS: "1000",
      ORDER_FILL_FULL_THRESHOLD: "1000",
      ORDER_MATCHER_SEED_ENABLED: "true",
    }),
    database: { role: "order_matcher" },
    singleton: "each replica would run its own matcher ticks and fill the same orders twice",
    probes: nodeServiceProbes("/healthz", "/actuator/health/readiness"),
    metrics: { path: "/actuator/prometheus", port: "http", job: "traderx-spring-boot-actuator" },
    openApiPath: "/v3/api-docs",
    calls: [
      "database",
      "nats-broker",
      "trade-service",
      "account-service",
      "reference-data",
      "price-publisher",
    ],
    edgeRoutes: [forwardedRoute("order-matcher")],
    probeTargets: [
      { port: "http", path: "/health" },
      { port: "http", path: "/orders/open-count" },
    ],
    readinessChecks: [check("order-matcher", "/order-matcher/health")],
  }),
  builtService("web-front-end", {
    tier: "ui",
    description: "The TraderX single-page app with SPA fallback (contract 1.10).",
    ports: [{ name: "http", port: 18093 }],
    env: () => ({ WEB_SERVICE_PORT: "18093" }),
    probes: nodeServiceProbes("/healthz", "/healthz"),
    resources: { requests: { cpu: "20m", memory: "48Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
    calls: [],
    edgeRoutes: [
      { path: "/ng-cli-ws", port: "http", upstreamPath: "keep", headers: "host", websocket: true },
      { path: "/", port: "http", upstreamPath: "keep", headers: "host", websocket: true },
    ],
    probeTargets: [{ port: "http", path: "/" }],
    readinessChecks: [check("edge-ui", "/")],
  }),
  builtService("api-explorer", {
    tier: "ui",
    description: "OpenAPI viewer, subject catalog and pub/sub inspector at /api/docs/ (contract 1.11).",
    ports: [{ name: "http", port: 8080, containerPort: 18094 }],
    env: () => ({ API_EXPLORER_PORT: "18094", API_EXPLORER_SERVICES: JSON.stringify(apiExplorerServices()) }),
    probes: nodeServiceProbes("/healthz", "/healthz"),
    resources: { requests: { cpu: "20m", memory: "48Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
    calls: [],
    edgeRoutes: [
      {
        path: "/api/docs/",
        port: "http",
        upstreamPath: "keep",
        headers: "host",
        forwardedPrefix: "/api/docs",
        redirectBarePath: true,
      },
    ],
    probeTargets: [{ port: "http", path: "/api/docs/" }],
    readinessChecks: [],
  }),
  {
    name: "edge-proxy",
    tier: "edge",
    description: "The single browser entrypoint: nginx on NodePort 30080, routes rendered from this catalog.",
    image: { kind: "pinned", ref: "nginxinc/nginx-unprivileged:1.29.1-alpine3.22" },
    kind: "Deployment",
    ports: [{ name: "http", port: 8080 }],
    env: () => ({}),
    probes: {
      readiness: { kind: "http", path: "/health", port: "http", periodSeconds: 5 },
      liveness: { kind: "http", path: "/health", port: "http", periodSeconds: 10 },
    },
    resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    // The edge's upstreams are derived from every workload's edgeRoutes (see edgeUpstreams()).
    calls: [],
    edgeRoutes: [],
    probeTargets: [
      { port: "http", path: "/health" },
      { port: "http", path: "/" },
    ],
    readinessChecks: [check("edge-health", "/health")],
    runAsUser: 101,
    terminationGracePeriodSeconds: 30,
  },
];
