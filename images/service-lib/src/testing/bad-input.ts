/**
 * Generated malformed requests for an endpoint, for the "no 5xx on bad input" checks: broken and
 * non-object JSON, each body field missing, null or of every wrong type, oversized strings, path ids
 * that are not numbers or overflow, odd query values and a wrong content type.
 */
export interface EndpointSample {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path with `{name}` placeholders, e.g. `/account/{id}`. */
  path: string;
  /** A valid body, whose fields are varied one at a time. */
  body?: Record<string, unknown>;
  /** Valid query parameters, varied one at a time. */
  query?: Record<string, string>;
}

export interface GeneratedRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  /** What is wrong with it, for failure messages. */
  label: string;
}

const PATH_VALUES = [
  "abc",
  "-1",
  "0",
  "1.5",
  "99999999999999999999",
  "%00",
  "%27%20OR%201%3D1",
  "%C3%BC",
  "%20",
];
const WRONG_VALUES: unknown[] = [
  null,
  "x",
  "",
  -1,
  0,
  1.5,
  1e20,
  true,
  {},
  [],
  "9".repeat(40),
  "s".repeat(10_000),
];
const BROKEN_BODIES = ["{not json", "", "null", "[]", '"text"', "42", '{"a":', "{}", '{"__proto__":{"x":1}}'];
const QUERY_VALUES = ["", "abc", "-5", "0", "ü".repeat(300), "%", "1e400"];

function fill(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, value);
}

function withQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

export function badInputRequests(sample: EndpointSample): GeneratedRequest[] {
  const requests: GeneratedRequest[] = [];
  const validPath = fill(sample.path, "1");
  if (sample.path.includes("{")) {
    for (const value of PATH_VALUES) {
      requests.push({
        method: sample.method,
        path: withQuery(fill(sample.path, value), sample.query ?? {}),
        label: `path ${value}`,
      });
    }
  }
  for (const [key] of Object.entries(sample.query ?? {})) {
    for (const value of QUERY_VALUES) {
      requests.push({
        method: sample.method,
        path: `${validPath}?${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
        label: `query ${key}=${value.slice(0, 10)}`,
      });
    }
  }
  if (sample.body) {
    const json = "application/json";
    for (const body of BROKEN_BODIES)
      requests.push({
        method: sample.method,
        path: validPath,
        body,
        contentType: json,
        label: `body ${body}`,
      });
    for (const key of Object.keys(sample.body)) {
      const { [key]: _omitted, ...rest } = sample.body;
      requests.push({
        method: sample.method,
        path: validPath,
        body: JSON.stringify(rest),
        contentType: json,
        label: `without ${key}`,
      });
      for (const value of WRONG_VALUES) {
        requests.push({
          method: sample.method,
          path: validPath,
          body: JSON.stringify({ ...sample.body, [key]: value }),
          contentType: json,
          label: `${key}=${JSON.stringify(value).slice(0, 20)}`,
        });
      }
    }
    requests.push({
      method: sample.method,
      path: validPath,
      body: JSON.stringify(sample.body),
      contentType: "text/plain",
      label: "text/plain body",
    });
  }
  return requests;
}

/** Sends every generated request; returns the ones answered with a 5xx or not answered at all. */
export async function serverErrorsFor(
  baseUrl: string,
  samples: readonly EndpointSample[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const sample of samples) {
    for (const request of badInputRequests(sample)) {
      try {
        const response = await fetch(`${baseUrl}${request.path}`, {
          method: request.method,
          body: request.body,
          headers: request.contentType ? { "content-type": request.contentType } : {},
        });
        await response.arrayBuffer();
        if (response.status >= 500)
          failures.push(`${request.method} ${request.path} (${request.label}) -> ${response.status}`);
      } catch (error) {
        failures.push(`${request.method} ${request.path} (${request.label}) -> ${(error as Error).message}`);
      }
    }
  }
  return failures;
}
