/**
 * The program: read the config, refuse a stack that must not deploy, check the host, then the cluster,
 * the images and their loads, and everything inside the cluster. `index.ts` runs it with the real host;
 * tests run it under Pulumi mocks with a stand-in host.
 */
import * as pulumi from "@pulumi/pulumi";
import { selectWorkloads } from "../catalog";
import { HostProbe, assertHostPrerequisites } from "../cluster/host-prerequisites";
import { LocalCluster } from "../cluster/local-cluster";
import { readPlatformConfig } from "../config/platform-config";
import { guardProfile } from "../config/profile-guard";
import { ServiceImages } from "../images/service-images";
import { TraderxPlatform } from "./traderx-platform";

export interface ProgramDependencies {
  host: HostProbe;
  /** Repository root: the catalog's image build paths are relative to it. */
  repoRoot: string;
}

export interface StackOutputs {
  appUrl: string;
  /** Only with the observability stack. */
  grafanaUrl?: string;
  prometheusUrl?: string;
  apiDocsUrl: string;
  clusterName: string;
  namespace: pulumi.Output<string>;
  images: Record<string, string>;
}

export async function traderxProgram(deps: ProgramDependencies): Promise<StackOutputs> {
  const config = readPlatformConfig();
  guardProfile(config);
  if (config.profile === "aws-ec2-k8s") throw new Error("unreachable: the profile guard refuses aws-ec2-k8s");
  await assertHostPrerequisites(
    { profile: config.profile, clusterName: config.clusterName, hostPort: config.hostPort },
    deps.host,
  );

  const workloads = selectWorkloads({ observability: config.observability });
  const cluster = new LocalCluster("cluster", {
    profile: config.profile,
    clusterName: config.clusterName,
    hostPort: config.hostPort,
    nodePort: config.nodePort,
    kindNodeImage: config.kindNodeImage,
  });
  const images = new ServiceImages("images", {
    workloads,
    repoRoot: deps.repoRoot,
    cluster,
    build: config.buildImages,
  });
  const platform = new TraderxPlatform(
    "traderx",
    { config, workloads, images: images.images },
    { providers: { kubernetes: cluster.provider } },
  );

  const origin = `http://localhost:${config.hostPort}`;
  return {
    appUrl: `${origin}/`,
    ...(config.observability
      ? { grafanaUrl: `${origin}/grafana/`, prometheusUrl: `${origin}/prometheus/` }
      : {}),
    apiDocsUrl: `${origin}/api/docs/`,
    clusterName: config.clusterName,
    namespace: platform.namespace.metadata.name,
    images: platform.imageRefs,
  };
}
