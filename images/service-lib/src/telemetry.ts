/**
 * OpenTelemetry tracing and the correlation id that travels with it.
 *
 * A tracer provider is always registered, so every request and message gets real trace and span ids for the
 * logs. Spans are exported over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 */
import { randomUUID } from "node:crypto";
import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
  type SpanKind,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Env } from "./config.js";

export const CORRELATION_HEADER = "x-correlation-id";
const correlationKey = createContextKey("traderx.correlation-id");

export interface Tracing {
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

let registered: { provider: NodeTracerProvider; service: string } | undefined;

/**
 * Registers the process-wide tracer provider, W3C propagator and async context manager. Later calls (several
 * services in one test process) reuse the first registration.
 */
export function startTracing(service: string, env: Env): Tracing {
  if (!registered) {
    const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
      spanProcessors: endpoint
        ? [
            new BatchSpanProcessor(
              new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }),
            ),
          ]
        : [],
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
    registered = { provider, service };
  }
  const { provider } = registered;
  return { shutdown: () => provider.forceFlush() };
}

export function tracer() {
  return trace.getTracer(registered?.service ?? "traderx");
}

/** Headers as a case-insensitive getter/setter pair, so HTTP and NATS carriers share one code path. */
export interface HeaderCarrier {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const carrierGetter: TextMapGetter<HeaderCarrier> = {
  get: (carrier, key) => carrier.get(key),
  keys: () => [],
};
const carrierSetter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => carrier.set(key, value) };

/** The context a received request or message continues: its trace parent and its (or a new) correlation id. */
export function contextFromCarrier(carrier: HeaderCarrier): Context {
  const extracted = propagation.extract(ROOT_CONTEXT, carrier, carrierGetter);
  const correlationId = carrier.get(CORRELATION_HEADER)?.trim().slice(0, 128) || randomUUID();
  return extracted.setValue(correlationKey, correlationId);
}

/** Writes `traceparent` and `X-Correlation-ID` of the active context into outgoing headers. */
export function injectIntoCarrier(carrier: HeaderCarrier): void {
  propagation.inject(context.active(), carrier, carrierSetter);
  const correlationId = currentCorrelationId();
  if (correlationId) carrier.set(CORRELATION_HEADER, correlationId);
}

export function currentCorrelationId(ctx: Context = context.active()): string | undefined {
  return ctx.getValue(correlationKey) as string | undefined;
}

/** Outgoing HTTP headers carrying the active trace and correlation id. */
export function propagationHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  injectIntoCarrier({
    get: (name) => headers[name],
    set: (name, value) => {
      headers[name] = value;
    },
  });
  return headers;
}

/** Trace fields for log lines: trace and span id, the W3C `traceparent`, and the correlation id. */
export function logTraceFields(): Record<string, string> {
  const ctx = context.active();
  const fields: Record<string, string> = {};
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
    const flags = spanContext.traceFlags.toString(16).padStart(2, "0");
    fields.traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  }
  const correlationId = currentCorrelationId(ctx);
  if (correlationId) fields.correlation_id = correlationId;
  return fields;
}

/** Runs `work` inside a new span that is a child of `parent`, ending the span when the work settles. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { kind }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: 2 });
    throw error;
  } finally {
    span.end();
  }
}
