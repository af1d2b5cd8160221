// @vitest-environment node
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { wsconnect } from "@nats-io/nats-core";
import { freePort, portAccepts, startProcess, waitFor, type TestProcess } from "@traderx/service-lib/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MessageBus, type BusState } from "./messageBus";

/** A real nats-server with the websocket listener the browser uses (contract 1.12). */
async function startNatsWithWebsocket() {
  const dir = mkdtempSync(path.join(tmpdir(), "traderx-web-bus-"));
  const [clientPort, wsPort] = [await freePort(), await freePort()];
  const config = path.join(dir, "nats.conf");
  writeFileSync(
    config,
    `listen: 127.0.0.1:${clientPort}\nwebsocket { host: 127.0.0.1, port: ${wsPort}, no_tls: true }\n`,
  );
  let server: TestProcess | undefined;
  const start = async () => {
    server = startProcess("nats-server", ["-c", config]);
    await waitFor("nats-server websocket", () => portAccepts(wsPort));
  };
  await start();
  return {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    start,
    stop: () => server!.stop(),
    remove: async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function nextMessage(bus: MessageBus, subject: string) {
  return new Promise<{ payload: unknown; subject: string }>((resolve) => {
    const unsubscribe = bus.subscribe(subject, (payload, actual) => {
      unsubscribe();
      resolve({ payload, subject: actual });
    });
  });
}

/**
 * Publishes `body` until `received` resolves. The publisher is a websocket client as well: the Node
 * TCP transport would replace nats-core's process-wide transport factory under the bus's reconnects.
 */
async function publishUntil<T>(
  wsUrl: string,
  subject: string,
  body: unknown,
  received: Promise<T>,
): Promise<T> {
  const publisher = await wsconnect({ servers: wsUrl });
  let done = false;
  void received.then(() => (done = true));
  try {
    // Subscriptions become active asynchronously, so publish until the first one gets through.
    while (!done) {
      publisher.publish(subject, JSON.stringify(body));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return await received;
  } finally {
    await publisher.close();
  }
}

// Node 20 has no global WebSocket; `ws` behaves like the browser's (happy-dom's never reports a refused connect).
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

describe("MessageBus against a real nats-server websocket", () => {
  let nats: Awaited<ReturnType<typeof startNatsWithWebsocket>>;
  let bus: MessageBus;
  const states: BusState[] = [];

  beforeAll(async () => {
    nats = await startNatsWithWebsocket();
    bus = new MessageBus(nats.wsUrl, 200);
    bus.onStateChange((state) => states.push(state));
    bus.start();
    await waitFor("bus connected", async () => bus.state === "connected", 10_000);
  });

  afterAll(async () => {
    await bus?.stop();
    await nats?.remove();
  });

  it("delivers the envelope's payload with the concrete subject of a wildcard subscription", async () => {
    const message = await publishUntil(
      nats.wsUrl,
      "pricing.IBM",
      {
        topic: "pricing.IBM",
        payload: { ticker: "IBM", price: 187.25 },
        from: "price-publisher",
        type: "PriceTick",
      },
      nextMessage(bus, "pricing.*"),
    );
    expect(message).toEqual({ subject: "pricing.IBM", payload: { ticker: "IBM", price: 187.25 } });
  });

  it("shows a lost connection and re-subscribes after reconnecting", async () => {
    const received = nextMessage(bus, "/accounts/22214/trades");
    await nats.stop();
    await waitFor("bus disconnected", async () => bus.state !== "connected", 10_000);
    expect(states).toContain("disconnected");
    await nats.start();
    await waitFor("bus reconnected", async () => bus.state === "connected", 15_000);
    const message = await publishUntil(nats.wsUrl, "/accounts/22214/trades", { id: "t-1" }, received);
    expect(message.payload).toEqual({ id: "t-1" });
  }, 30_000);
});
