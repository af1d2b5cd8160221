/**
 * Types of the workload catalog: the single description of every workload TraderX runs.
 *
 * Every other view of the system is derived from these records: image builds and loads, Deployments,
 * StatefulSets and Services, edge routes, NetworkPolicies, Prometheus scrape jobs and blackbox targets,
 * the readiness gate and the local runtime. Nothing here depends on Pulumi, so tests, scripts and the
 * local runtime import it directly.
 */

/** Where a workload's container image comes from. */
export type ImageSource =
  /** Built from `images/<folder>` with the shared `images/Dockerfile` (see `imageBuildOf`). */
  | { kind: "built"; folder: string }
  /** A pinned third-party image reference, e.g. `nginxinc/nginx-unprivileged:1.27.5-alpine`. */
  | { kind: "pinned"; ref: string };

/** A port a workload listens on, and the Service port that fronts it. */
export interface WorkloadPort {
  /** IANA-style port name, used by probes, Services and NetworkPolicies (`http`, `client`, `ws`…). */
  name: string;
  /** Port the Kubernetes Service exposes; peers address the workload on this port. */
  port: number;
  /** Port the process listens on, when it differs from `port`. */
  containerPort?: number;
}

/**
 * Resolves a peer's address. In the cluster a peer is its Service name on the Service port; in the local
 * runtime it is loopback on the container port. Env renderers take one of these so that both agree.
 */
export interface PeerAddresses {
  host(workload: string): string;
  port(workload: string, portName: string): number;
  /** `http://<host>:<port>` of a peer's named port. */
  url(workload: string, portName: string): string;
  /** Whether a workload is deployed at all (the observability stack is optional). */
  has(workload: string): boolean;
  /** The browser origin of the edge, e.g. `http://localhost:8080`. */
  publicOrigin: string;
}

/** How a container's health is checked. Ports are referenced by name. */
export type ProbeCheck =
  /** `scheme` defaults to HTTP; HTTPS is for servers that only speak TLS (the metrics server). */
  | { kind: "http"; path: string; port: string; scheme?: "HTTPS" }
  | { kind: "tcp"; port: string }
  | { kind: "exec"; command: string[] };

export interface ProbeTiming {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface WorkloadProbes {
  readiness: ProbeCheck & ProbeTiming;
  liveness: ProbeCheck & ProbeTiming;
  /** Only for workloads whose start is slow (database, Grafana…). */
  startup?: ProbeCheck & ProbeTiming;
}

export interface ResourceQuantities {
  cpu: string;
  memory: string;
}

export interface WorkloadResources {
  requests: ResourceQuantities;
  limits: ResourceQuantities;
}

/** How the edge forwards request headers for a route (contract section 5). */
export type EdgeHeaderPolicy =
  /** Nothing added: the upstream sees its own Service name as Host (reference-data). */
  | "none"
  /** The "forwarded set": X-Forwarded-For/Host/Proto/Prefix and `Host: $http_host`. */
  | "forwarded"
  /** HTTP/1.1 with `Host: $http_host` and `X-Forwarded-Proto` only (Grafana, Prometheus, API explorer). */
  | "host";

/** One nginx `location` that the edge proxies to this workload. */
export interface EdgeRoute {
  /** The location prefix, e.g. `/account-service/`. */
  path: string;
  /** Name of the workload port the edge proxies to. */
  port: string;
  /**
   * What the upstream sees as the request URI:
   * `strip` removes `path` (`proxy_pass http://svc:port/`), `keep` passes the URI unchanged
   * (`proxy_pass http://svc:port`), and any other string is the upstream path that replaces `path`.
   */
  upstreamPath: "strip" | "keep";
  headers: EdgeHeaderPolicy;
  /** Value for `X-Forwarded-Prefix`, when the upstream builds links or redirects from it. */
  forwardedPrefix?: string;
  /** Upgrade to websocket when the client asks (HTTP/1.1 with Upgrade/Connection headers). */
  websocket?: boolean;
  /** Long-lived stream: no buffering and hour-long read/send timeouts (`/nats-ws`). */
  longLived?: boolean;
  /** When set, an exact-match location for the prefix without its slash redirects here with a 301. */
  redirectBarePath?: boolean;
}

/** A check that a path answers with a given status, used by the readiness gate and the UI status page. */
export interface HttpCheck {
  /** Short stable name, e.g. `account-lookup`. */
  name: string;
  /** Path through the edge, e.g. `/account-service/account/22214`. */
  path: string;
  expectStatus: number;
}

/** Which part of the system a workload belongs to; also its `app.kubernetes.io/component` label. */
/** `cluster` is for cluster add-ons the platform installs, such as the metrics server. */
export type WorkloadTier = "app" | "ui" | "data" | "messaging" | "edge" | "observability" | "cluster";

export interface Workload {
  /** DNS name of the Service and name of the Deployment/StatefulSet. */
  name: string;
  tier: WorkloadTier;
  /** What a reader sees in `kubectl describe` and in generated docs. */
  description: string;
  image: ImageSource;
  /** `DaemonSet` is for node agents only (one pod per node, e.g. the log collector); see `nodeLogs`. */
  kind: "Deployment" | "StatefulSet" | "Job" | "DaemonSet";
  ports: WorkloadPort[];
  /**
   * Non-secret environment, rendered against peer addresses. Secrets are never placed here: database
   * credentials come from `database` below.
   */
  env(peers: PeerAddresses): Record<string, string>;
  /**
   * A PostgreSQL role this workload connects as. The platform injects `DATABASE_PG_HOST`,
   * `DATABASE_PG_PORT`, `DATABASE_NAME`, `DATABASE_DBUSER` and `DATABASE_DBPASS` (from the secret).
   */
  database?: {
    role: string;
    /**
     * The migration runner connects as the schema owner and creates or updates every service role, so it
     * also receives each role's password.
     */
    owner?: boolean;
  };
  /** Health probes. Every long-running workload has them; a run-to-completion Job has none. */
  probes?: WorkloadProbes;
  resources: WorkloadResources;
  /** Prometheus scrape endpoint, when the workload exposes metrics. */
  metrics?: { path: string; port: string; job: string };
  /**
   * Path of the workload's live OpenAPI document, generated from its route schemas. The API explorer
   * lists every workload that has one.
   */
  openApiPath?: string;
  /** Workloads this one opens connections to; drives NetworkPolicy egress/ingress rules. */
  calls: string[];
  edgeRoutes: EdgeRoute[];
  /** Internal URLs (relative to the workload) that the blackbox exporter probes, e.g. `/stocks`. */
  probeTargets: { port: string; path: string }[];
  /** Checks through the edge that the readiness gate runs (contract 6.1). */
  readinessChecks: HttpCheck[];
  /** Numeric uid the container runs as. Always non-zero. */
  runAsUser: number;
  /** Seconds Kubernetes waits after SIGTERM; the preStop drain is included in it. */
  terminationGracePeriodSeconds: number;
  /**
   * Why this Deployment must run exactly one replica whatever `traderx:replicas` says (a second copy would
   * double its side effects). Such a workload gets neither an HPA nor a PodDisruptionBudget.
   */
  singleton?: string;
  /** Whether this workload is part of the optional observability stack (`traderx:observability`). */
  optional?: "observability";
  /**
   * Reads the node's container logs through a read-only hostPath of `/var/log/pods`. Pod Security
   * `restricted` (and `baseline`) forbid hostPath volumes, so such a workload runs in the separate
   * observability namespace, never in the app namespace.
   */
  nodeLogs?: true;
}
