/** Calls to peer services, carrying the active trace and correlation id, with a timeout. */
import { propagationHeaders } from "./telemetry.js";

export interface PeerResponse {
  status: number;
  /** Parsed JSON body, or the raw text when the body is not JSON. */
  body: unknown;
}

export class PeerUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`peer ${url} did not answer: ${(cause as Error).message ?? String(cause)}`);
    this.name = "PeerUnavailableError";
  }
}

export async function callPeer(
  url: string,
  init: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<PeerResponse> {
  const headers: Record<string, string> = { accept: "application/json", ...propagationHeaders() };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 5_000),
    });
    text = await response.text();
  } catch (error) {
    throw new PeerUnavailableError(url, error);
  }
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: response.status, body: text };
  }
}
