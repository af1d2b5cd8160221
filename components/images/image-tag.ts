/**
 * Content tags for built images. A tag is a hash of exactly the files `imageBuildOf(workload).inputs`
 * names (the service folder plus the shared build files), minus what `.dockerignore` keeps out of the
 * context, so the same source gives the same tag and changing one service changes only its tag.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { minimatch } from "minimatch";
import { Workload, imageBuildOf } from "../catalog";

/** Hex digits of the hash kept in the tag: 64 bits, plenty for one repository's builds. */
const TAG_LENGTH = 16;

/** `.dockerignore` patterns of a build context; none when the file does not exist. */
export function dockerIgnorePatterns(contextDir: string): string[] {
  const file = join(contextDir, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** Whether docker leaves a context-relative path (or one of its parent folders) out of the context. */
function ignoredBy(patterns: string[], path: string): boolean {
  const segments = path.split("/");
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const glob = negated ? pattern.slice(1) : pattern;
    const matches = segments.some((_, i) =>
      minimatch(segments.slice(0, i + 1).join("/"), glob, { dot: true }),
    );
    if (matches) ignored = !negated;
  }
  return ignored;
}

/** Context-relative paths of every file under `input` that reaches the build, sorted. */
function contextFiles(contextDir: string, input: string, patterns: string[]): string[] {
  const root = join(contextDir, input);
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const visit = (absolute: string) => {
    const path = relative(contextDir, absolute).split(sep).join(posix.sep);
    if (ignoredBy(patterns, path)) return;
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) visit(join(absolute, entry));
    } else {
      found.push(path);
    }
  };
  visit(root);
  return found;
}

/** Repository name of a built image, e.g. `traderx/account-service`; only ever local, never pushed. */
export function imageRepository(workload: Workload): string {
  return `traderx/${imageBuildOf(workload).args.SERVICE}`;
}

export interface ImageSourceState {
  /** Hex content hash, stable for the same content. */
  tag: string;
  /** False when the service folder is missing or holds no files yet; nothing can be built then. */
  buildable: boolean;
}

/** The content tag of a built workload's image, computed from the repository at `repoRoot`. */
export function imageSourceState(workload: Workload, repoRoot: string): ImageSourceState {
  const build = imageBuildOf(workload);
  const serviceFolder = build.args.SERVICE;
  const contextDir = join(repoRoot, build.context);
  const patterns = dockerIgnorePatterns(contextDir);
  const hash = createHash("sha256");
  hash.update(JSON.stringify(build.args));
  let serviceFiles = 0;
  for (const input of build.inputs) {
    const files = contextFiles(contextDir, input, patterns);
    if (input === serviceFolder) serviceFiles = files.length;
    // Record each input even when absent, so a folder appearing later changes the tag.
    hash.update(`input ${input} ${files.length}\n`);
    for (const file of files) {
      const content = readFileSync(join(contextDir, file));
      hash.update(`${file} ${content.length}\n`);
      hash.update(content);
    }
  }
  return { tag: hash.digest("hex").slice(0, TAG_LENGTH), buildable: serviceFiles > 0 };
}
