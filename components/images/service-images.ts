/**
 * `ServiceImages`: every built workload's image, built locally with `@pulumi/docker` (never pushed) under
 * its content tag, then loaded into the local cluster. Workloads wait for their image's load.
 */
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { Workload, builtWorkloads, imageBuildOf } from "../catalog";
import { LocalCluster } from "../cluster/local-cluster";
import { imageRepository, imageSourceStates } from "./image-tag";

export interface ServiceImagesArgs {
  /** The selected workloads; pinned ones are skipped. */
  workloads: readonly Workload[];
  /** Repository root the catalog's build paths are relative to. */
  repoRoot: string;
  cluster: LocalCluster;
  /**
   * Build each image (default). When false, the images must already exist locally under their content
   * tags (`--skip-build` of the start script); they are only loaded, and a changed tag reloads them.
   */
  build?: boolean;
}

export interface BuiltImage {
  /** `traderx/<folder>:<content hash>`. */
  ref: string;
  /** The load into the cluster; absent when the folder has nothing to build yet. */
  load?: command.local.Command;
}

export class ServiceImages extends pulumi.ComponentResource {
  /** Workload name -> image. */
  public readonly images: Record<string, BuiltImage> = {};

  constructor(name: string, args: ServiceImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("traderx:images:ServiceImages", name, {}, opts);
    const build = args.build ?? true;
    const built = builtWorkloads(args.workloads);
    const sources = imageSourceStates(built, args.repoRoot);
    for (const workload of built) {
      const recipe = imageBuildOf(workload);
      const source = sources.get(workload.name)!;
      const ref = `${imageRepository(workload)}:${source.tag}`;
      if (!source.buildable) {
        pulumi.log.warn(
          `images/${recipe.args.SERVICE} has no sources yet: ${workload.name} is declared with ${ref} but not built`,
          this,
        );
        this.images[workload.name] = { ref };
        continue;
      }
      if (!build) {
        // The tag is a hash of the sources, so it stands in for the image id as the load trigger.
        const load = args.cluster.loadImage(`${workload.name}-image-load`, ref, ref);
        this.images[workload.name] = { ref, load };
        continue;
      }
      const image = new docker.Image(
        `${workload.name}-image`,
        {
          imageName: ref,
          // Paths relative to the project folder (Pulumi's working directory), so a clone elsewhere
          // does not look like a changed build.
          build: {
            context: recipe.context,
            dockerfile: recipe.dockerfile,
            args: recipe.args,
          },
          skipPush: true,
        },
        { parent: this },
      );
      // repoDigest is the local image id for an image that is not pushed: a rebuild changes it.
      const load = args.cluster.loadImage(`${workload.name}-image-load`, image.imageName, image.repoDigest);
      this.images[workload.name] = { ref, load };
    }
    this.registerOutputs({
      images: Object.fromEntries(Object.entries(this.images).map(([k, v]) => [k, v.ref])),
    });
  }
}
