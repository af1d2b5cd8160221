/** Small HTTP helpers for tests that talk to real servers on loopback. */
import { createServer, request, IncomingHttpHeaders, Server } from "node:http";
import { AddressInfo, createServer as createTcpServer } from "node:net";

/** A port nothing listens on right now, found by binding port 0. */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What an upstream saw of a request. */
export interface EchoedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * An upstream that answers every request with a JSON description of it, and every websocket upgrade
 * with a 101 whose `x-echo` header carries the same description.
 */
export async function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const describe = (req: { method?: string; url?: string; headers: IncomingHttpHeaders }): EchoedRequest => ({
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
  });
  const server: Server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(describe(req)));
  });
  server.on("upgrade", (req, socket) => {
    const echo = Buffer.from(JSON.stringify(describe(req))).toString("base64");
    socket.end(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Echo: ${echo}\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface HttpAnswer {
  status: number;
  /** Raw header pairs as sent, so duplicates stay visible. */
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
  body: string;
}

export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, headers: res.headers, body }),
      );
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, headers: res.headers, body: "" });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Polls until `probe` succeeds or `timeoutMs` passes; rethrows the last error then. */
export async function waitFor<T>(probe: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
