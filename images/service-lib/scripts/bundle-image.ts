/**
 * Lays out what one workspace's image ships, with no node_modules: its built entry (the package.json
 * `main`, which `npm run build` produced) with every dependency bundled in by esbuild, its package.json,
 * and the files its package.json declares under `"image"`:
 *   files         paths in the workspace the service reads at run time (the built SPA, the static site)
 *   packageFiles  `<package>/<path>` a dependency reads beside its own module (Swagger UI's assets)
 * The tree mirrors images/: copied to /app, every path the bundle computes still lands on its file.
 *
 * Usage: tsx service-lib/scripts/bundle-image.ts <workspace folder> <empty out folder>
 */
import { build, type Plugin } from "esbuild";
import { access, cp, mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface WorkspaceManifest {
  main?: string;
  image?: { files?: string[]; packageFiles?: string[] };
}

/**
 * The bundle is ESM, but CommonJS dependencies in it `require` Node's builtins and `pg-native`, and some
 * join paths to `__dirname`: give them a `require`, and a way to find their own folder in the tree.
 */
const BANNER = [
  'import { createRequire as __bundleCreateRequire } from "node:module";',
  'import { join as __bundleJoin } from "node:path";',
  "const require = __bundleCreateRequire(import.meta.url);",
  "const __bundlePath = (relative) => __bundleJoin(import.meta.dirname, relative);",
].join("\n");

/** pg loads its optional native binding only when asked for it, which no service does. */
const EXTERNAL = ["pg-native"];

const MODULE_LOCATION = /\b__(dirname|filename)\b/;

/**
 * Gives each CommonJS module that uses `__dirname` or `__filename` its own location in the tree,
 * relative to the bundle, instead of the bundle's. Reports the modules it touched.
 */
function moduleLocationPlugin(bundleDir: string, located: Set<string>): Plugin {
  return {
    name: "module-location",
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.c?js$/ }, async ({ path: file }) => {
        const source = await readFile(file, "utf8");
        if (!MODULE_LOCATION.test(source)) return { contents: source, loader: "js" };
        located.add(file);
        const dir = JSON.stringify(path.relative(bundleDir, path.dirname(file)));
        const name = JSON.stringify(path.relative(bundleDir, file));
        // One line, so that line numbers in stack traces stay those of the module. The bundle is ESM and
        // therefore strict, so the "use strict" this may displace changes nothing.
        const location = `var __dirname = __bundlePath(${dir}), __filename = __bundlePath(${name});`;
        return { contents: `${location} ${source}`, loader: "js" };
      });
    },
  };
}

/** The folder of an installed package, looked up from the workspace the way Node resolves it. */
async function packageDir(workspaceDir: string, name: string): Promise<string> {
  for (let dir = workspaceDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (await exists(path.join(candidate, "package.json"))) return candidate;
    if (dir === path.dirname(dir)) {
      throw new Error(`image.packageFiles: package ${name} is not installed (run npm ci in images/)`);
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** `@scope/name/sub/path` or `name/sub/path` -> package name and path inside it. */
function splitPackagePath(entry: string): { name: string; inside: string } {
  const parts = entry.split("/");
  const length = entry.startsWith("@") ? 2 : 1;
  if (parts.length <= length) {
    throw new Error(
      `image.packageFiles: "${entry}" names no path inside the package; write <package>/<path>`,
    );
  }
  return { name: parts.slice(0, length).join("/"), inside: parts.slice(length).join("/") };
}

async function copyInto(from: string, to: string, what: string): Promise<void> {
  if (!(await exists(from))) throw new Error(`${what}: ${from} not found`);
  await mkdir(path.dirname(to), { recursive: true });
  await cp(from, to, { recursive: true });
}

export interface BundleResult {
  /** The bundle, under the out folder. */
  bundle: string;
  /** Bundled modules that resolve paths beside themselves, relative to images/. */
  locatedModules: string[];
}

/** Writes the image tree of the workspace folder into outDir, which must be empty or absent. */
export async function bundleImage(workspaceDir: string, outDir: string): Promise<BundleResult> {
  const imagesDir = path.dirname(workspaceDir);
  const workspace = path.basename(workspaceDir);
  const manifestFile = path.join(workspaceDir, "package.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as WorkspaceManifest;
  if (!manifest.main)
    throw new Error(`${manifestFile} has no "main": set it to the built entry, dist/main.js`);
  if ((await exists(outDir)) && (await readdir(outDir)).length > 0) {
    throw new Error(`${outDir} is not empty; give an empty or new folder`);
  }

  // The bundle sits where the built entry sits, so that the entry's own relative paths stay right.
  const bundle = path.join(outDir, workspace, manifest.main);
  const located = new Set<string>();
  await build({
    entryPoints: [path.join(workspaceDir, manifest.main)],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node}`,
    external: EXTERNAL,
    banner: { js: BANNER },
    // Fastify reads plugin names from function names; bundling must not rename them.
    keepNames: true,
    logLevel: "warning",
    plugins: [moduleLocationPlugin(path.dirname(path.join(workspaceDir, manifest.main)), located)],
  });

  await copyInto(manifestFile, path.join(outDir, workspace, "package.json"), "package.json");
  for (const file of manifest.image?.files ?? []) {
    await copyInto(path.join(workspaceDir, file), path.join(outDir, workspace, file), "image.files");
  }
  for (const entry of manifest.image?.packageFiles ?? []) {
    const { name, inside } = splitPackagePath(entry);
    const from = path.join(await packageDir(workspaceDir, name), inside);
    await copyInto(from, path.join(outDir, path.relative(imagesDir, from)), "image.packageFiles");
  }
  return { bundle, locatedModules: [...located].map((file) => path.relative(imagesDir, file)).sort() };
}

async function main(): Promise<void> {
  const [workspace, out] = process.argv.slice(2);
  if (!workspace || !out) throw new Error("usage: bundle-image.ts <workspace folder> <empty out folder>");
  const { bundle, locatedModules } = await bundleImage(path.resolve(workspace), path.resolve(out));
  console.log(`bundle-image: ${bundle}`);
  // A module listed here that reads a file at run time needs that file in image.packageFiles.
  for (const module of locatedModules) console.log(`bundle-image: resolves paths beside itself: ${module}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`bundle-image: ${(error as Error).message}`);
    process.exit(1);
  });
}
