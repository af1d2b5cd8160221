/** A failed HTTP call, carrying the server's own explanation so the UI can show it verbatim. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The human-readable reason in an error body. The services answer with `{"error": …}`, Nest's
 * `{"message": …}`, RFC-7807 `{"title","detail"}` or plain text (contract sections 1.2 to 1.9).
 */
export function errorText(status: number, body: string): string {
  const trimmed = body.trim();
  if (trimmed === "") return `HTTP ${status}`;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === "object") {
      const fields = parsed as Record<string, unknown>;
      const text = [fields.detail, fields.message, fields.error, fields.title].find(
        (value): value is string => typeof value === "string" && value !== "",
      );
      if (text) return `${text} (HTTP ${status})`;
    }
    if (typeof parsed === "string") return `${parsed} (HTTP ${status})`;
  } catch {
    // Not JSON: the body itself is the message.
  }
  return `${trimmed} (HTTP ${status})`;
}

export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { Accept: "application/json", ...(init.body ? { "Content-Type": "application/json" } : {}) },
  });
  const body = await response.text();
  if (!response.ok) throw new ApiError(response.status, errorText(response.status, body));
  return (body === "" ? undefined : JSON.parse(body)) as T;
}

export function postJson<T>(url: string, payload: unknown): Promise<T> {
  return requestJson<T>(url, { method: "POST", body: JSON.stringify(payload) });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
