/**
 * The HTTP side of every service: fastify with TypeBox schemas, an OpenAPI document generated from those
 * schemas, CORS per contract 9, a uniform 400 `{"error"}` for bad input, request metrics and traces, and
 * the actuator-style health and metrics endpoints the catalog's probes and scrape jobs use.
 */
// Route schemas of every service may carry @fastify/swagger's `hide`; this keeps its typing in the
// published declarations, not only when the sources are compiled together.
/// <reference types="@fastify/swagger" preserve="true" />
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import cors from "@fastify/cors";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { context, SpanKind, trace, type Span } from "@opentelemetry/api";
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
  type preValidationAsyncHookHandler,
  type RouteOptions,
} from "fastify";
import type { CorsPolicy } from "./config.js";
import type { Logger } from "./logging.js";
import type { ServiceMetrics } from "./metrics.js";
import { contextFromCarrier, CORRELATION_HEADER, currentCorrelationId, tracer } from "./telemetry.js";

export type HttpService = FastifyInstance<
  ReturnType<typeof createServer>,
  IncomingMessage,
  ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

/** A dependency readiness depends on, e.g. the database or a NATS connection. */
export interface ReadinessCheck {
  name: string;
  isReady(): boolean | Promise<boolean>;
}

export interface HttpServiceOptions {
  service: string;
  /** Shown in the OpenAPI document. */
  title: string;
  logger: Logger;
  metrics: ServiceMetrics;
  cors: CorsPolicy;
  /** Paths that serve the generated OpenAPI document (`/v3/api-docs`, `/swagger/v1/swagger.json`…). */
  openApiPaths: string[];
  readiness: () => readonly ReadinessCheck[];
  /** False while the service drains for shutdown: readiness then fails so no new traffic is routed. */
  accepting: () => boolean;
  /** Route matching ignores case (people-service: `/People/…` and `/people/…`). */
  caseInsensitiveRoutes?: boolean;
  querystringParser?: FastifyServerOptions["querystringParser"];
  /** `GET /` redirects (302) to the first OpenAPI path, under the edge's `X-Forwarded-Prefix` (contract 1.1). */
  redirectRootToOpenApi?: boolean;
}

const spans = new WeakMap<IncomingMessage, Span>();

/**
 * An http.Server whose requests each run inside a server span continuing the caller's `traceparent`, with the
 * caller's (or a new) correlation id, echoed in the `X-Correlation-ID` response header.
 */
function tracedServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return createServer((req, res) => {
    const parent = contextFromCarrier({
      get: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
      set: () => undefined,
    });
    const span = tracer().startSpan(`${req.method ?? "HTTP"}`, { kind: SpanKind.SERVER }, parent);
    const requestContext = trace.setSpan(parent, span);
    spans.set(req, span);
    const correlationId = currentCorrelationId(requestContext)!;
    req.headers[CORRELATION_HEADER] = correlationId;
    res.setHeader("X-Correlation-ID", correlationId);
    res.once("close", () => span.end());
    // Body chunks arrive as stream events; binding keeps the request's context in those callbacks.
    context.bind(requestContext, req);
    context.bind(requestContext, res);
    context.with(requestContext, () => handler(req, res));
  });
}

interface FieldSchema {
  type?: unknown;
  anyOf?: FieldSchema[];
}

/** "integer" or "number" when the schema is, or admits, that type. */
function numericType(schema: FieldSchema | undefined): "integer" | "number" | undefined {
  if (schema?.type === "integer" || schema?.type === "number") return schema.type;
  return schema?.anyOf?.map(numericType).find((type) => type !== undefined);
}

/** The fields a path or query schema types as a number, with that type. */
function numericFields(schema: unknown): Map<string, "integer" | "number"> {
  const properties = (schema as { properties?: Record<string, FieldSchema> } | undefined)?.properties ?? {};
  const fields = new Map<string, "integer" | "number">();
  for (const [name, property] of Object.entries(properties)) {
    const type = numericType(property);
    if (type) fields.set(name, type);
  }
  return fields;
}

/**
 * Whether a path or query value is a numeral no number of its type can hold: one too large for a double
 * ("1e400", "Infinity"), or an integer beyond ±2^53. The validator would coerce the first to Infinity and
 * accept it, even as an integer, and round the second.
 */
function outOfRange(value: unknown, type: "integer" | "number"): boolean {
  return [value].flat().some((text) => {
    const number = typeof text === "string" && text.trim() !== "" ? Number(text) : NaN;
    return (
      number === Infinity ||
      number === -Infinity ||
      (type === "integer" && Number.isInteger(number) && !Number.isSafeInteger(number))
    );
  });
}

/**
 * A preValidation hook answering 400 for out-of-range numerals in the route's numeric path and query
 * fields; undefined for a route that has none, so that it costs those routes nothing.
 */
function outOfRangeCheck(route: RouteOptions): preValidationAsyncHookHandler | undefined {
  const parts = (
    [
      ["params", numericFields(route.schema?.params)],
      ["querystring", numericFields(route.schema?.querystring)],
    ] as const
  ).filter(([, fields]) => fields.size > 0);
  if (parts.length === 0) return undefined;
  return async (request, reply) => {
    for (const [part, fields] of parts) {
      const values = (part === "params" ? request.params : request.query) as Record<string, unknown>;
      for (const [name, type] of fields) {
        if (outOfRange(values?.[name], type))
          return reply.code(400).send({ error: `${part}/${name} is out of range` });
      }
    }
  };
}

function readinessBody(results: { name: string; ready: boolean }[], accepting: boolean) {
  const components = Object.fromEntries(
    results.map(({ name, ready }) => [name, { status: ready ? "UP" : "DOWN" }]),
  );
  const up = accepting && results.every((result) => result.ready);
  return { up, body: { status: up ? "UP" : accepting ? "DOWN" : "OUT_OF_SERVICE", components } };
}

export async function createHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const app = Fastify({
    loggerInstance: options.logger,
    serverFactory: tracedServer,
    routerOptions: {
      ignoreTrailingSlash: true,
      caseSensitive: !options.caseInsensitiveRoutes,
      ...(options.querystringParser ? { querystringParser: options.querystringParser } : {}),
    },
    requestIdHeader: CORRELATION_HEADER,
    // The onResponse hook below logs one line per request, with the route template and duration.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "request_id" }),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpService;

  await app.register(cors, {
    origin: options.cors === "any" ? "*" : [...options.cors],
    methods: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: options.title, version: "1.0.0" },
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.validation || (status >= 400 && status < 500)) {
      return reply.code(error.validation ? 400 : status).send({ error: error.message });
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ error: "internal server error" });
  });
  app.addHook("onRoute", (route) => {
    const check = outOfRangeCheck(route);
    if (check) route.preValidation = [...[route.preValidation ?? []].flat(), check];
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url.split("?")[0]}` }),
  );

  app.addHook("onResponse", async (request, reply) => {
    const uri = request.routeOptions.url ?? "UNKNOWN";
    const status = String(reply.statusCode);
    options.metrics.httpRequests.observe({ method: request.method, uri, status }, reply.elapsedTime / 1000);
    const span = spans.get(request.raw);
    span?.updateName(`${request.method} ${uri}`);
    span?.setAttributes({
      "http.request.method": request.method,
      "http.route": uri,
      "http.response.status_code": reply.statusCode,
    });
    if (reply.statusCode >= 500) span?.setStatus({ code: 2 });
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 500) request.log.error(line, "request completed");
    // Probes and scrapes arrive every few seconds; their lines would drown the traffic's.
    else if (request.routeOptions.schema?.hide) request.log.debug(line, "request completed");
    else request.log.info(line, "request completed");
  });

  const hidden = { schema: { hide: true } };
  for (const path of options.openApiPaths) app.get(path, hidden, async () => app.swagger());
  if (options.redirectRootToOpenApi) {
    app.get("/", hidden, async (request, reply) => {
      const forwardedPrefix = request.headers["x-forwarded-prefix"];
      const prefix = (Array.isArray(forwardedPrefix) ? forwardedPrefix[0] : (forwardedPrefix ?? "")).replace(
        /\/+$/,
        "",
      );
      // Only a path prefix is honoured, so the header cannot redirect a browser to another site.
      const safePrefix = /^\/[\w\-/.]*$/.test(prefix) ? prefix : "";
      return reply.redirect(`${safePrefix}${options.openApiPaths[0]}`, 302);
    });
  }

  const metricsHandler = async (_request: unknown, reply: { type(value: string): void }) => {
    reply.type(options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  };
  app.get("/metrics", hidden, metricsHandler);
  app.get("/actuator/prometheus", hidden, metricsHandler);
  app.get("/actuator/info", hidden, async () => ({ app: { name: options.service } }));
  app.get("/actuator/health/liveness", hidden, async () => ({ status: "UP" }));

  const readiness = async () => {
    const results = await Promise.all(
      options.readiness().map(async (check) => ({ name: check.name, ready: await check.isReady() })),
    );
    return readinessBody(results, options.accepting());
  };
  app.get("/actuator/health/readiness", hidden, async (_request, reply) => {
    const { up, body } = await readiness();
    return reply.code(up ? 200 : 503).send(body);
  });
  app.get("/actuator/health", hidden, async (_request, reply) => {
    const { up, body } = await readiness();
    return reply.code(up ? 200 : 503).send({ ...body, groups: ["liveness", "readiness"] });
  });
  return app;
}
