/**
 * Which port each container listens on in a run. Containers share the host network, so a catalog port
 * that another process already holds (another run of the local runtime, a concurrent test) would make a
 * container fail for a reason that has nothing to do with its image. Such a port is reported, and the
 * container is moved to a free port through the env variable that carries its listen port.
 */
import { once } from "node:events";
import { createServer } from "node:net";
import { PeerAddresses, Workload, containerPortOf } from "../../components/catalog";

export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once("listening", () => resolve(true));
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true });
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen({ port: 0, host: "0.0.0.0" });
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("the OS gave no free port");
  return address.port;
}

export interface ListenPlan {
  /** Port name -> port the process listens on. */
  ports: Record<string, number>;
  /** Env settings that move the process off a busy catalog port. */
  envOverrides: Record<string, string>;
  /** One line per moved port, for the log. */
  notes: string[];
  /** Set when a busy port cannot be moved: no env variable carries it. */
  problem?: string;
}

/**
 * The catalog port of each of the workload's ports when it is free; otherwise a free one, set through
 * the env variable whose catalog value is that port (every service reads its listen port from env).
 */
export async function planListenPorts(workload: Workload, catalogPeers: PeerAddresses): Promise<ListenPlan> {
  const plan: ListenPlan = { ports: {}, envOverrides: {}, notes: [] };
  const catalogEnv = workload.env(catalogPeers);
  for (const { name } of workload.ports) {
    const port = containerPortOf(workload, name);
    if (await portIsFree(port)) {
      plan.ports[name] = port;
      continue;
    }
    const variable = Object.keys(catalogEnv).find((key) => catalogEnv[key] === String(port));
    if (!variable) {
      plan.problem = `port ${port} (${name}) is busy on this host and no env variable of ${workload.name} sets it; free the port and run again`;
      plan.ports[name] = port;
      continue;
    }
    const moved = await freePort();
    plan.ports[name] = moved;
    plan.envOverrides[variable] = String(moved);
    plan.notes.push(
      `${workload.name}: port ${port} is busy on this host (another process listens there); this run sets ${variable}=${moved}`,
    );
  }
  return plan;
}

/** Peer addresses with some workloads' ports replaced (local PostgreSQL/NATS, moved services). */
export function withPorts(
  peers: PeerAddresses,
  ports: ReadonlyMap<string, Record<string, number>>,
): PeerAddresses {
  const port = (workload: string, portName: string) =>
    ports.get(workload)?.[portName] ?? peers.port(workload, portName);
  return {
    ...peers,
    port,
    url: (workload, portName) => `http://${peers.host(workload)}:${port(workload, portName)}`,
  };
}
