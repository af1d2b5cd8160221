/**
 * Builds one image with plain `docker build`, exactly as declared by an `ImageBuild` (context, Dockerfile,
 * build args), with only the base-image arg pointed at the local stand-in, and reads back what the pod
 * relies on: that it derives from that base, which user it runs as, and that it declares no volume.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BASE_IMAGE_ARG, ImageBuild, Workload } from "../../components/catalog";
import { imageRepository } from "../../components/images/image-tag";
import { CheckName, CheckOutcome } from "./container-checks";
import { baseImageProblems } from "./dockerfile-base";
import { docker } from "./docker-engine";

/** Build args Docker accepts without an ARG; passed through so builds reach the registry via the proxy. */
const PROXY_ARGS = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];

/** The `docker build` argument list for a build; only `BASE_IMAGE` differs from what the program declares. */
export function dockerBuildArgs(
  repoRoot: string,
  build: ImageBuild,
  baseImage: string,
  tag: string,
  options: { noCache?: boolean } = {},
): string[] {
  const args = { ...build.args, [BASE_IMAGE_ARG]: baseImage };
  const proxy = PROXY_ARGS.filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`);
  return [
    "build",
    "--network",
    "host",
    "--progress",
    "plain",
    ...(options.noCache ? ["--no-cache"] : []),
    "--file",
    resolve(repoRoot, build.dockerfile),
    ...Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]),
    ...proxy.flatMap((setting) => ["--build-arg", setting]),
    "--tag",
    tag,
    resolve(repoRoot, build.context),
  ];
}

/**
 * Tag of a workload's image built on the stand-in base; kept apart from the program's content tags,
 * whose images have the real base. The local runtime's container mode runs these.
 */
export function standInImageTag(workload: Workload): string {
  return `${imageRepository(workload)}:stand-in`;
}

export class BuildFailure extends Error {}

/** Builds and returns the seconds it took; the Dockerfile's FROM lines are checked first. */
export async function buildImage(
  repoRoot: string,
  build: ImageBuild,
  baseImage: string,
  tag: string,
  options: { noCache?: boolean } = {},
): Promise<number> {
  const problems = baseImageProblems(readFileSync(resolve(repoRoot, build.dockerfile), "utf8"));
  if (problems.length > 0) {
    throw new BuildFailure(`${build.dockerfile}: ${problems.join("; ")}`);
  }
  const started = Date.now();
  try {
    await docker(dockerBuildArgs(repoRoot, build, baseImage, tag, options));
  } catch (error) {
    // BuildKit's step digests and timings say nothing about why a step failed.
    const lines = (error as Error).message
      .split("\n")
      .filter((line) => !/^#\d+ (sha256:|DONE|CACHED)/.test(line) && line.trim() !== "");
    throw new BuildFailure(`docker build failed:\n${lines.slice(-20).join("\n")}`);
  }
  return (Date.now() - started) / 1000;
}

export interface ImageFacts {
  id: string;
  sizeBytes: number;
  layers: string[];
  /** `Config.User`: a name or uid, possibly with `:group`; empty when the image runs as root. */
  user: string;
  volumes: string[];
}

export async function inspectImage(tag: string): Promise<ImageFacts> {
  const [image] = JSON.parse(await docker(["image", "inspect", tag])) as {
    Id: string;
    Size: number;
    RootFS: { Layers?: string[] };
    Config: { User?: string; Volumes?: Record<string, unknown> | null };
  }[];
  return {
    id: image.Id,
    sizeBytes: image.Size,
    layers: image.RootFS.Layers ?? [],
    user: image.Config.User ?? "",
    volumes: Object.keys(image.Config.Volumes ?? {}),
  };
}

/** The numeric uid an image's USER stands for, looked up in the image's own passwd when it is a name. */
export async function uidOfImageUser(tag: string, user: string): Promise<number> {
  const name = user.split(":")[0];
  if (/^\d+$/.test(name)) return Number(name);
  const out = await docker([
    "run",
    "--rm",
    "--network",
    "none",
    "--user",
    name,
    "--entrypoint",
    "id",
    tag,
    "-u",
  ]);
  return Number(out.trim());
}

export interface ImageProblem {
  /** The check the problem fails: its base (build), its user (uid) or its volumes (write). */
  check: CheckName;
  detail: string;
}

/**
 * What is wrong with a built image, given its base and the uid its pod runs as; empty when nothing is.
 * `uid` is undefined when the image has no USER.
 */
export function imageProblems(
  image: ImageFacts,
  base: ImageFacts,
  uid: number | undefined,
  expectedUid: number,
): ImageProblem[] {
  const problems: ImageProblem[] = [];
  if (!base.layers.every((layer, index) => image.layers[index] === layer)) {
    problems.push({
      check: "build",
      detail: `not built on the ${BASE_IMAGE_ARG} stand-in: its layers do not start with the base's`,
    });
  }
  if (image.user === "" || uid === 0) {
    problems.push({
      check: "uid",
      detail: `runs as root (USER ${image.user || "not set"}); set USER to uid ${expectedUid}`,
    });
  } else if (uid !== expectedUid) {
    problems.push({
      check: "uid",
      detail: `USER ${image.user} is uid ${uid}, but the catalog runs the pod as uid ${expectedUid}`,
    });
  }
  const volumes = image.volumes.filter((path) => path !== "/tmp");
  if (volumes.length > 0) {
    problems.push({
      check: "write",
      detail: `declares VOLUME ${volumes.join(", ")}: an anonymous volume is writable despite --read-only`,
    });
  }
  return problems;
}

/** Target size of what an image adds on top of its base. */
export const APP_LAYER_TARGET_BYTES = 40e6;

/** The size check: what the image adds on top of its base is at most APP_LAYER_TARGET_BYTES. */
export function appLayerCheck(appLayerBytes: number): CheckOutcome {
  const size = `app layer ${(appLayerBytes / 1e6).toFixed(1)} MB`;
  const target = `${APP_LAYER_TARGET_BYTES / 1e6} MB`;
  return appLayerBytes > APP_LAYER_TARGET_BYTES
    ? { ok: false, detail: `${size} is over the ${target} target` }
    : { ok: true, detail: `${size}, within the ${target} target` };
}
