/** A throwaway nats-server with JetStream for tests: free ports, its own store directory. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, portAccepts, startProcess, waitFor, type TestProcess } from "./processes.js";

export interface TestNats {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and store, keeping JetStream data. */
  restart(): Promise<void>;
  remove(): Promise<void>;
}

export async function startNats(): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), "traderx-nats-"));
  const port = await freePort();
  let server: TestProcess;
  const launch = async () => {
    server = startProcess("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir]);
    await waitFor(`nats-server on port ${port}`, async () => {
      if (server.child.exitCode !== null) throw new Error(`nats-server exited:\n${server.output()}`);
      return portAccepts(port);
    });
  };
  await launch();
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    await server.stop(signal);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    restart: launch,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
