/**
 * `npm run images:verify`: builds every built image of the catalog on a local stand-in base, runs each the
 * way its pod runs, and prints a report. Exits 1 when any build, size, start, health, uid, write or shutdown
 * check fails.
 *
 * Options: `--cold` builds the first pass without the layer cache (cold build figures);
 * `--only a,b` verifies only the named workloads.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { builtWorkloads, catalog, imageBuildOf } from "../../components/catalog";
import { imageSourceState } from "../../components/images/image-tag";
import { ensureDockerEngine, trimDockerStorage } from "./docker-engine";
import { inspectImage, standInImageTag } from "./image-build";
import { anyFailure, renderReport } from "./report";
import { ensureStandInBase } from "./stand-in-base";
import { ImageTarget, verifyImages } from "./verify";

const REPO_ROOT = resolve(__dirname, "../..");
const PUBLIC_ORIGIN = "http://localhost:8080";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { cold: { type: "boolean", default: false }, only: { type: "string" } },
  });
  const only = values.only?.split(",").map((name) => name.trim());
  const selected = builtWorkloads(catalog).filter((w) => !only || only.includes(w.name));
  if (only) {
    const unknown = only.filter((name) => !selected.some((w) => w.name === name));
    if (unknown.length > 0) {
      const known = builtWorkloads(catalog).map((w) => w.name);
      throw new Error(
        `--only: no built workload named ${unknown.join(", ")} (built workloads: ${known.join(", ")})`,
      );
    }
  }
  const skipped: { name: string; reason: string }[] = [];
  const targets: ImageTarget[] = [];
  for (const workload of selected) {
    const build = imageBuildOf(workload);
    if (imageSourceState(workload, REPO_ROOT).buildable) {
      targets.push({ workload, build, tag: standInImageTag(workload) });
    } else {
      skipped.push({
        name: workload.name,
        reason: `${build.context}/${build.args.SERVICE} has no sources yet`,
      });
    }
  }

  const engine = await ensureDockerEngine();
  try {
    const standIn = await ensureStandInBase();
    console.log(
      `stand-in base: ${standIn.tag} (${standIn.built ? "built" : "cached"}, ${standIn.seconds.toFixed(1)} s)`,
    );
    const reports = await verifyImages(targets, {
      repoRoot: REPO_ROOT,
      baseImage: standIn.tag,
      system: catalog,
      noCache: values.cold,
      publicOrigin: PUBLIC_ORIGIN,
      log: (line) => console.log(line),
    });
    await trimDockerStorage();
    const base = await inspectImage(standIn.tag);
    console.log(
      `\n${renderReport(reports, { baseImage: standIn.tag, baseSizeBytes: base.sizeBytes, cold: values.cold, skipped })}`,
    );
    return anyFailure(reports) ? 1 : 0;
  } finally {
    await engine.stopIfStartedHere();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`images:verify: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
