/** Small HTTP helpers for checks that go through the edge. */

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; throws with the body quoted when it is not JSON. */
  json<T = unknown>(): T;
}

export async function request(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<HttpReply> {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs), ...init });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(
          `${init.method ?? "GET"} ${url} -> ${response.status}: body is not JSON: ${text.slice(0, 200)}`,
        );
      }
    },
  };
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Retries `attempt` until it stops throwing or `timeoutMs` passes; rethrows the last error. */
export async function eventually<T>(
  timeoutMs: number,
  intervalMs: number,
  attempt: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
