import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
}

type Reply =
  { status?: number; body: unknown } | ((request: RecordedRequest) => { status?: number; body: unknown });

/**
 * Replaces `fetch` for a component test: answers by "METHOD path" (query included) and records every
 * request, so a test can assert both what the UI sent and what it did with the answer.
 */
export function stubFetch(replies: Record<string, Reply>): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      const request = { method, url: input, body: init.body ? JSON.parse(String(init.body)) : undefined };
      requests.push(request);
      const reply = replies[`${method} ${input}`];
      if (!reply)
        return new Response(JSON.stringify({ error: `no stub for ${method} ${input}` }), { status: 599 });
      const { status = 200, body } = typeof reply === "function" ? reply(request) : reply;
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
    }),
  );
  return requests;
}
