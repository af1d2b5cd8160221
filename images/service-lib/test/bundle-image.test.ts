/**
 * The image bundler on a small images/-like tree: a workspace whose built entry imports a CommonJS
 * package that reads a file beside its own module, and reads a built file beside itself. The bundle is
 * run with node after the source tree is gone.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bundleImage } from "../scripts/bundle-image.js";

const execFileAsync = promisify(execFile);

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe("bundle-image", () => {
  let dir: string;
  let sources: string;
  let out: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bundle-image-"));
    sources = path.join(dir, "images");
    out = path.join(dir, "out");
    await writeTree(sources, {
      "node_modules/located-asset/package.json": JSON.stringify({
        name: "located-asset",
        main: "lib/index.js",
      }),
      "node_modules/located-asset/lib/index.js": [
        '"use strict";',
        'const { readFileSync } = require("node:fs");',
        'const path = require("node:path");',
        'module.exports = () => readFileSync(path.join(__dirname, "..", "static", "greeting.txt"), "utf8");',
      ].join("\n"),
      "node_modules/located-asset/static/greeting.txt": "from the package",
      "node_modules/located-asset/README.md": "not needed at run time",
      "svc/package.json": JSON.stringify({
        type: "module",
        main: "dist/main.js",
        image: { files: ["dist/site"], packageFiles: ["located-asset/static"] },
      }),
      "svc/dist/main.js": [
        'import greeting from "located-asset";',
        'import { readFileSync } from "node:fs";',
        'const page = readFileSync(new URL("./site/page.txt", import.meta.url), "utf8");',
        "console.log(JSON.stringify({ greeting: greeting(), page }));",
      ].join("\n"),
      "svc/dist/site/page.txt": "from the workspace",
      "svc/src/main.ts": "// sources stay out of the image",
    });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("ships the bundle, its package.json and the declared files, and nothing else", async () => {
    const result = await bundleImage(path.join(sources, "svc"), out);
    expect(result.bundle).to.equal(path.join(out, "svc/dist/main.js"));
    expect(result.locatedModules).to.deep.equal(["node_modules/located-asset/lib/index.js"]);
    expect(await listFiles(out)).to.deep.equal([
      "node_modules/located-asset/static/greeting.txt",
      "svc/dist/main.js",
      "svc/dist/site/page.txt",
      "svc/package.json",
    ]);
  });

  it("runs on its own: require works and each module finds the files beside it", async () => {
    await bundleImage(path.join(sources, "svc"), out);
    await rm(sources, { recursive: true });
    const { stdout } = await execFileAsync(process.execPath, ["dist/main.js"], {
      cwd: path.join(out, "svc"),
    });
    expect(JSON.parse(stdout)).to.deep.equal({ greeting: "from the package", page: "from the workspace" });
  });

  it("names a declared file that is missing", async () => {
    await rm(path.join(sources, "svc/dist/site"), { recursive: true });
    let message = "";
    await bundleImage(path.join(sources, "svc"), out).catch((error: Error) => (message = error.message));
    expect(message).to.equal(`image.files: ${path.join(sources, "svc/dist/site")} not found`);
  });

  it("refuses an out folder that already has files", async () => {
    await writeTree(out, { "stale.js": "" });
    let message = "";
    await bundleImage(path.join(sources, "svc"), out).catch((error: Error) => (message = error.message));
    expect(message).to.equal(`${out} is not empty; give an empty or new folder`);
  });
});
