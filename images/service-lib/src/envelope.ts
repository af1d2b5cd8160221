/** The envelope every NATS message of TraderX carries (contract section 2). */
export interface Envelope<T> {
  topic: string;
  payload: T;
  /** epoch-ms from trade-service/trade-processor, ISO strings from price-publisher and order-matcher. */
  date: number | string;
  from: string;
  type: string;
}

export function envelope<T>(
  topic: string,
  payload: T,
  meta: { from: string; type: string; date?: number | string },
): Envelope<T> {
  return { topic, payload, date: meta.date ?? Date.now(), from: meta.from, type: meta.type };
}

/** A copy without the null and undefined fields, as payloads on the bus omit them. */
export function withoutNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== null && field !== undefined),
  ) as Partial<T>;
}

/**
 * A received message as `{type, payload}`. Consumers unwrap `payload` when present and otherwise use the
 * whole message (contract section 2). Returns undefined when the bytes are not a JSON object.
 */
export function openEnvelope(data: Uint8Array | string): { type?: string; payload: unknown } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return undefined;
  const record = message as Record<string, unknown>;
  const type = typeof record.type === "string" ? record.type : undefined;
  return { type, payload: "payload" in record ? record.payload : message };
}
