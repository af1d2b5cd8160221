/**
 * Runs the Pulumi program under Pulumi's mocks and records every resource it registers, with the
 * inputs, parent and the dependencies (explicit and through inputs) the engine would receive.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostProbe } from "../../components/cluster/host-prerequisites";
import { StackOutputs, traderxProgram } from "../../components/platform/program";
import { join } from "node:path";
import { stackConfig } from "./stack-config";

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  /** Every URN this resource depends on: explicit dependsOn plus resources its inputs came from. */
  dependencies: string[];
  /* eslint-disable-next-line @typescript-eslint/no-explicit-any -- registered inputs are plain JSON */
  inputs: any;
}

export interface ProgramRun {
  resources: RegisteredResource[];
  outputs?: StackOutputs;
  error?: Error;
}

/** A host with every prerequisite in place. */
export const readyHost: HostProbe = {
  onPath: () => true,
  dockerDaemonProblem: async () => undefined,
  portFree: async () => true,
  clusterExists: async () => false,
};

export const REPO_ROOT = join(__dirname, "..", "..");

/** What the mocked engine returns as state: the inputs, plus outputs the program reads. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type === "command:local:Command") {
    return {
      ...inputs,
      stdout: name.endsWith("-kubeconfig") ? "apiVersion: v1\nkind: Config\n" : `${name}-stdout`,
    };
  }
  if (type === "docker:index/image:Image") return { ...inputs, repoDigest: `sha256:image-id-of-${name}` };
  return inputs;
}

export async function runProgram(
  stack: string,
  overrides: Record<string, string> = {},
  host: HostProbe = readyHost,
  repoRoot: string = REPO_ROOT,
): Promise<ProgramRun> {
  const config = stackConfig(stack, overrides);
  pulumi.runtime.setAllConfig(
    config,
    Object.keys(config).filter((key) => /Password$/.test(key)),
  );
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) }),
      call: (args) => {
        throw new Error(`the program made an unexpected invoke: ${args.token}`);
      },
    },
    "traderx",
    stack,
    false,
  );
  const resources: RegisteredResource[] = [];
  /* eslint-disable @typescript-eslint/no-explicit-any -- the mock monitor's gRPC request objects */
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) =>
    register(req, (err: unknown, resp: any) => {
      if (!err) {
        const propertyDependencies: string[] = [];
        req
          .getPropertydependenciesMap()
          .forEach((deps: any) => propertyDependencies.push(...deps.getUrnsList()));
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          custom: req.getCustom(),
          dependencies: [...new Set([...req.getDependenciesList(), ...propertyDependencies])],
          inputs: pulumi.runtime.deserializeProperties(req.getObject()),
        });
      }
      callback(err, resp);
    });
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const run: ProgramRun = { resources };
  try {
    run.outputs = await traderxProgram({ host, repoRoot });
  } catch (error) {
    run.error = error as Error;
  }
  // Registrations finish asynchronously (inputs are outputs of other resources); wait for all of them.
  await pulumi.runtime.disconnect();
  return run;
}

/** Every URN a resource depends on, directly or through other resources' dependencies. */
export function transitiveDependencies(run: ProgramRun, resource: RegisteredResource): Set<string> {
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const pending = [...resource.dependencies];
  while (pending.length > 0) {
    const urn = pending.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    pending.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return seen;
}
