/**
 * Renders the edge proxy's complete `nginx.conf` from the catalog (contract section 5).
 *
 * The same renderer serves the cluster (upstreams are Service names) and the local runtime (upstreams are
 * loopback ports): the caller passes the `PeerAddresses` that fit. Workloads named in `unavailable` keep
 * their routes, but those answer 503 with a one-line explanation instead of proxying, so the local runtime
 * can say plainly that Grafana or Loki do not run there.
 *
 * nginx runs as a non-root user on a read-only root filesystem, so the pid file and every temp path live
 * under `runtimeDir`; logs go to stdout/stderr, the access log as one JSON object per line.
 */
import { EdgeRoute, PeerAddresses, Workload, edgeUpstreams } from "../catalog";

export interface EdgeConfigInput {
  /** The workloads deployed in this runtime; every one with edge routes becomes a location. */
  workloads: readonly Workload[];
  peers: PeerAddresses;
  /** Port the edge listens on (8080 in the cluster). */
  listenPort: number;
  /** Writable folder for the pid file and nginx's temp files (`/tmp` in the pod). */
  runtimeDir: string;
  /** Workloads whose routes answer 503 instead of proxying. */
  unavailable?: readonly string[];
  /** Why those workloads are missing, shown in the 503 body. */
  unavailableReason?: string;
  /**
   * Where the JSON access log goes: `/dev/stdout` (the default) in a container; a file when stdout is a
   * socket, which nginx cannot reopen.
   */
  accessLog?: string;
}

/** Read/send timeout of long-lived streams such as `/nats-ws`. */
export const LONG_LIVED_TIMEOUT_SECONDS = 3600;

const DEFAULT_UNAVAILABLE_REASON = "it is not deployed in this runtime";

/** nginx string literal: double-quoted, with quotes, backslashes and `$` escaped. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, "\\n")}"`;
}

function block(head: string, body: string[]): string[] {
  return [`${head} {`, ...body.map((line) => (line === "" ? "" : `  ${line}`)), "}"];
}

/** The header directives of a route, by its policy (contract section 5). */
function headerDirectives(route: EdgeRoute): string[] {
  const lines: string[] = [];
  if (route.headers !== "none" || route.websocket) lines.push("proxy_http_version 1.1;");
  if (route.websocket) {
    lines.push("proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;");
  }
  if (route.headers === "forwarded") {
    lines.push(
      "proxy_set_header Host $http_host;",
      "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "proxy_set_header X-Forwarded-Host $http_host;",
      "proxy_set_header X-Forwarded-Proto $scheme;",
    );
  } else if (route.headers === "host") {
    lines.push("proxy_set_header Host $http_host;", "proxy_set_header X-Forwarded-Proto $scheme;");
  }
  if (route.forwardedPrefix && route.headers !== "none") {
    lines.push(`proxy_set_header X-Forwarded-Prefix ${quoted(route.forwardedPrefix)};`);
  }
  if (route.longLived) {
    lines.push(
      "proxy_buffering off;",
      `proxy_read_timeout ${LONG_LIVED_TIMEOUT_SECONDS}s;`,
      `proxy_send_timeout ${LONG_LIVED_TIMEOUT_SECONDS}s;`,
    );
  }
  return lines;
}

function proxyTarget(workload: Workload, route: EdgeRoute, peers: PeerAddresses): string {
  const base = peers.url(workload.name, route.port);
  // A URI part on proxy_pass replaces the matched prefix; none passes the request URI unchanged.
  return route.upstreamPath === "strip" ? `${base}/` : base;
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/$/, "") : path;
}

function unavailableLocations(workload: Workload, route: EdgeRoute, reason: string): string[] {
  const body = [
    "default_type text/plain;",
    `return 503 ${quoted(`${workload.name} (${route.path}) is unavailable: ${reason}.\n`)};`,
  ];
  const bare = withoutTrailingSlash(route.path);
  // Without proxy_pass nginx adds no slash redirect, so the bare prefix must answer the same way.
  const exact = bare !== route.path ? block(`location = ${bare}`, body) : [];
  return [...exact, ...block(`location ${route.path}`, body)];
}

function routeLocations(workload: Workload, route: EdgeRoute, peers: PeerAddresses): string[] {
  const redirect = route.redirectBarePath
    ? block(`location = ${withoutTrailingSlash(route.path)}`, [`return 301 ${route.path};`])
    : [];
  const proxy = block(`location ${route.path}`, [
    `proxy_pass ${proxyTarget(workload, route, peers)};`,
    ...headerDirectives(route),
  ]);
  return [...redirect, ...proxy];
}

/** Locations the edge answers itself (contract section 5 and its correction in section 9). */
function builtInLocations(): string[] {
  return [
    // default_type is the only Content-Type source here, so exactly one header is sent.
    ...block("location = /health", ["access_log off;", "default_type text/plain;", 'return 200 "ok\\n";']),
    // Dev-server probes must never reach the SPA fallback and get a 200.
    ...block("location = /@vite/client", ["return 404;"]),
    ...block("location ^~ /@fs/", ["return 404;"]),
  ];
}

const ACCESS_LOG_FIELDS: Record<string, string> = {
  time: "$time_iso8601",
  remote_addr: "$remote_addr",
  method: "$request_method",
  uri: "$request_uri",
  status: "$status",
  bytes_sent: "$body_bytes_sent",
  request_time: "$request_time",
  upstream_addr: "$upstream_addr",
  upstream_status: "$upstream_status",
  upstream_response_time: "$upstream_response_time",
  user_agent: "$http_user_agent",
  traceparent: "$http_traceparent",
};

function accessLogFormat(): string {
  const fields = Object.entries(ACCESS_LOG_FIELDS).map(([key, variable]) => `"${key}":"${variable}"`);
  return `log_format json escape=json '{${fields.join(",")}}';`;
}

export function renderEdgeNginxConf(input: EdgeConfigInput): string {
  const unavailable = new Set(input.unavailable ?? []);
  const reason = input.unavailableReason ?? DEFAULT_UNAVAILABLE_REASON;
  const dir = input.runtimeDir.replace(/\/$/, "");
  const seenPaths = new Set<string>();
  const routeBlocks: string[] = [];
  for (const workload of edgeUpstreams(input.workloads)) {
    for (const route of workload.edgeRoutes) {
      if (seenPaths.has(route.path)) {
        throw new Error(`edge route ${route.path} is declared twice (again by workload "${workload.name}")`);
      }
      seenPaths.add(route.path);
      routeBlocks.push(
        "",
        ...(unavailable.has(workload.name)
          ? unavailableLocations(workload, route, reason)
          : routeLocations(workload, route, input.peers)),
      );
    }
  }

  const server = block("server", [
    `listen ${input.listenPort};`,
    "server_name localhost;",
    // Relative redirects stay right behind the NodePort, a port-forward or a changed host port.
    "absolute_redirect off;",
    "",
    ...builtInLocations(),
    ...routeBlocks,
  ]);

  const http = block("http", [
    // The edge only proxies; upstreams set their own content types.
    "default_type application/octet-stream;",
    "server_tokens off;",
    "sendfile on;",
    "keepalive_timeout 65s;",
    `client_body_temp_path ${dir}/client_body;`,
    `proxy_temp_path ${dir}/proxy;`,
    `fastcgi_temp_path ${dir}/fastcgi;`,
    `uwsgi_temp_path ${dir}/uwsgi;`,
    `scgi_temp_path ${dir}/scgi;`,
    accessLogFormat(),
    `access_log ${input.accessLog ?? "/dev/stdout"} json;`,
    "",
    // Upgrade only when the client asked for it; plain requests carry no Connection header upstream.
    ...block("map $http_upgrade $connection_upgrade", ["default upgrade;", "'' '';"]),
    "",
    ...server,
  ]);

  return [
    "# Rendered by components/edge/nginx-config.ts from the workload catalog. Do not edit by hand.",
    "daemon off;",
    "worker_processes 1;",
    `pid ${dir}/nginx.pid;`,
    "error_log stderr warn;",
    "",
    ...block("events", ["worker_connections 1024;"]),
    "",
    ...http,
    "",
  ].join("\n");
}
