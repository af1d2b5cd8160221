/**
 * A NATS client over the edge's `/nats-ws` websocket, as the browser uses it, built on the official
 * client. Messages are unwrapped the way TraderX consumers do: the envelope's `payload` when present.
 */
import { NatsConnection, wsconnect } from "@nats-io/nats-core";
import WebSocket from "ws";

// The NATS websocket transport expects the browser's WebSocket global, which Node 20 lacks.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export interface Received {
  subject: string;
  payload: Record<string, unknown>;
}

export interface Subscriber {
  received: Received[];
  /** Resolves with the first message (already received or future) that matches, or rejects on timeout. */
  waitFor(what: string, match: (m: Received) => boolean, timeoutMs: number): Promise<Received>;
  close(): Promise<void>;
}

export function natsWebsocketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, "ws").replace(/\/+$/, "")}/nats-ws`;
}

function unwrap(data: Uint8Array): Record<string, unknown> {
  const message = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
  const payload = message.payload;
  return payload && typeof payload === "object" ? (payload as Record<string, unknown>) : message;
}

export async function subscribe(baseUrl: string, subjects: readonly string[]): Promise<Subscriber> {
  const connection: NatsConnection = await wsconnect({ servers: natsWebsocketUrl(baseUrl), timeout: 10_000 });
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  for (const subject of subjects) {
    connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) return;
        try {
          received.push({ subject: message.subject, payload: unwrap(message.data) });
        } catch {
          return;
        }
        for (const wake of waiters) wake();
      },
    });
  }
  await connection.flush();
  return {
    received,
    waitFor(what, match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs / 1000} s (${received.length} messages seen)`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => connection.close(),
  };
}
