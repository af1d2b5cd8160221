/**
 * SIGTERM every service under sustained load, the way a rolling update does it (maxSurge 1,
 * maxUnavailable 0): a second instance starts on another port, the edge is reloaded to send the service's
 * traffic there, the original gets SIGTERM and must drain and exit, then it starts again, the edge goes
 * back, and the second instance gets SIGTERM in turn. Load runs against the service's own paths through
 * the edge the whole time; not one request may fail.
 */
import { createServer } from "node:net";
import { Workload } from "../../components/catalog";
import { LocalRuntime } from "../local-runtime/runtime";
import { LoadResult, sustainedLoad } from "./load";

export interface RollingReport {
  service: string;
  requests: number;
  failures: string[];
  statuses: Record<string, number>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** What the load asks of a service: its readiness paths through the edge, or its edge route itself. */
export function loadPaths(workload: Workload): string[] {
  if (workload.readinessChecks.length > 0) return workload.readinessChecks.map((c) => c.path);
  return [...workload.edgeRoutes]
    .sort((a, b) => a.path.length - b.path.length)
    .slice(0, 1)
    .map((r) => r.path);
}

export async function rollingRestart(runtime: LocalRuntime, service: string): Promise<RollingReport> {
  const component = runtime.component(service);
  const paths = loadPaths(component.workload);
  const load = sustainedLoad(runtime.baseUrl, paths, 4, (status) => status < 500);
  let result: LoadResult;
  try {
    const surgePort = await freePort();
    const surge = await runtime.startSurgeInstance(service, surgePort);
    runtime.system.edgePortOverrides.set(service, surgePort);
    await runtime.reloadEdge();
    await runtime.stopComponent(service, "SIGTERM");
    await runtime.startComponent(component);
    runtime.system.edgePortOverrides.delete(service);
    await runtime.reloadEdge();
    await runtime.stopRecord(surge, "SIGTERM");
  } finally {
    result = await load.stop();
  }
  return {
    service,
    requests: result.requests,
    failures: result.failures,
    statuses: Object.fromEntries([...result.statuses].map(([k, v]) => [String(k), v])),
  };
}

export function describeRolling(report: RollingReport): string {
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status}x${count}`)
    .join(" ");
  return `SIGTERM ${report.service} under load: ${report.requests} requests (${statuses}), ${report.failures.length} failed`;
}
