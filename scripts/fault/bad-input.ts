/**
 * Every bad input of the services' shared generator (`@traderx/service-lib/testing`), sent through the
 * edge. The endpoints come from each service's live OpenAPI document (the catalog's `openApiPath`), so
 * every documented operation is covered and no second list of endpoints exists. No answer may be a 5xx.
 */
import {
  EndpointSample,
  badInputRequests,
  serverErrorsFor,
} from "../../images/service-lib/src/testing/bad-input";
import { Workload } from "../../components/catalog";
import { request } from "../lib/http";

interface OpenApiSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, OpenApiSchema>;
  $ref?: string;
  anyOf?: OpenApiSchema[];
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: OpenApiSchema }[];
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** A valid-looking value for a schema, which the generator then varies field by field. */
function sampleValue(schema: OpenApiSchema | undefined, doc: OpenApiDocument): unknown {
  if (!schema) return "x";
  if (schema.$ref) return sampleValue(doc.components?.schemas?.[schema.$ref.split("/").pop()!], doc);
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return sampleValue(schema.anyOf[0], doc);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "integer":
      return 22214;
    case "number":
      return 1.5;
    case "boolean":
      return true;
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sampleValue(v, doc)]),
      );
    case "array":
      return [];
    default:
      return "IBM";
  }
}

const METHODS = ["GET", "POST", "PUT", "DELETE"] as const;

/** One sample per documented operation. */
export function samplesFromOpenApi(doc: OpenApiDocument): EndpointSample[] {
  const samples: EndpointSample[] = [];
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const upper = method.toUpperCase() as (typeof METHODS)[number];
      if (!METHODS.includes(upper)) continue;
      const query = Object.fromEntries(
        (operation.parameters ?? [])
          .filter((p) => p.in === "query")
          .map((p) => [p.name, String(sampleValue(p.schema, doc))]),
      );
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      const body = schema ? sampleValue(schema, doc) : undefined;
      samples.push({
        method: upper,
        path,
        query: Object.keys(query).length > 0 ? query : undefined,
        body:
          body && typeof body === "object" && !Array.isArray(body)
            ? (body as Record<string, unknown>)
            : undefined,
      });
    }
  }
  return samples;
}

export interface BadInputReport {
  service: string;
  operations: number;
  requests: number;
  serverErrors: string[];
}

export async function badInputThroughEdge(baseUrl: string, workload: Workload): Promise<BadInputReport> {
  const prefix = workload.edgeRoutes[0].path.replace(/\/$/, "");
  const docReply = await request(`${baseUrl}${prefix}${workload.openApiPath}`);
  if (docReply.status !== 200) {
    throw new Error(`${workload.name}: ${prefix}${workload.openApiPath} answered ${docReply.status}`);
  }
  const samples = samplesFromOpenApi(docReply.json<OpenApiDocument>());
  return {
    service: workload.name,
    operations: samples.length,
    requests: samples.reduce((sum, s) => sum + badInputRequests(s).length, 0),
    serverErrors: await serverErrorsFor(`${baseUrl}${prefix}`, samples),
  };
}

export function describeBadInput(report: BadInputReport): string {
  return (
    `bad input ${report.service}: ${report.requests} requests over ${report.operations} operations, ` +
    `${report.serverErrors.length} answered 5xx or not at all`
  );
}
