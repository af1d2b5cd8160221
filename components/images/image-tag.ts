/**
 * Content tags for built images. A tag is a hash of exactly the files `imageBuildOf(workload).inputs`
 * names (the service folder plus the shared build files), minus what `.dockerignore` keeps out of the
 * context, so the same source gives the same tag and changing one service changes only its tag.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { Minimatch } from "minimatch";
import { Workload, imageBuildOf } from "../catalog";

/** Hex digits of the hash kept in the tag: 64 bits, plenty for one repository's builds. */
const TAG_LENGTH = 16;

interface IgnorePattern {
  negated: boolean;
  glob: Minimatch;
}

/** `.dockerignore` patterns of a build context; none when the file does not exist. */
function dockerIgnorePatterns(contextDir: string): IgnorePattern[] {
  const file = join(contextDir, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      return { negated, glob: new Minimatch(negated ? line.slice(1) : line, { dot: true }) };
    });
}

/**
 * Whether docker leaves a context-relative path out of the context. Folders are tested as the walk
 * reaches them, so the files of an ignored folder are never visited.
 */
function ignoredBy(patterns: IgnorePattern[], path: string): boolean {
  let ignored = false;
  for (const pattern of patterns) {
    if (pattern.glob.match(path)) ignored = !pattern.negated;
  }
  return ignored;
}

/** Context-relative paths of every file under `input` that reaches the build, sorted. */
function contextFiles(contextDir: string, input: string, patterns: IgnorePattern[]): string[] {
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

/**
 * The content tags of built workloads' images, computed from the repository at `repoRoot`. Each input
 * (a folder or a shared file) is read and hashed once, however many images share it.
 */
export function imageSourceStates(
  workloads: readonly Workload[],
  repoRoot: string,
): Map<string, ImageSourceState> {
  const inputDigests = new Map<string, { digest: string; files: number }>();
  const patternsByContext = new Map<string, IgnorePattern[]>();
  const digestOf = (contextDir: string, input: string) => {
    const key = join(contextDir, input);
    let known = inputDigests.get(key);
    if (!known) {
      let patterns = patternsByContext.get(contextDir);
      if (!patterns) patternsByContext.set(contextDir, (patterns = dockerIgnorePatterns(contextDir)));
      const hash = createHash("sha256");
      const files = contextFiles(contextDir, input, patterns);
      for (const file of files) {
        const content = readFileSync(join(contextDir, file));
        hash.update(`${file} ${content.length}\n`);
        hash.update(content);
      }
      known = { digest: hash.digest("hex"), files: files.length };
      inputDigests.set(key, known);
    }
    return known;
  };

  const states = new Map<string, ImageSourceState>();
  for (const workload of workloads) {
    const build = imageBuildOf(workload);
    const contextDir = join(repoRoot, build.context);
    const hash = createHash("sha256");
    hash.update(JSON.stringify(build.args));
    let serviceFiles = 0;
    for (const input of build.inputs) {
      const { digest, files } = digestOf(contextDir, input);
      if (input === build.args.SERVICE) serviceFiles = files;
      // Every input is recorded even when absent, so a folder appearing later changes the tag.
      hash.update(`input ${input} ${files} ${digest}\n`);
    }
    states.set(workload.name, { tag: hash.digest("hex").slice(0, TAG_LENGTH), buildable: serviceFiles > 0 });
  }
  return states;
}

/** The content tag of one built workload's image. */
export function imageSourceState(workload: Workload, repoRoot: string): ImageSourceState {
  return imageSourceStates([workload], repoRoot).get(workload.name)!;
}
