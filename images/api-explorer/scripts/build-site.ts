/**
 * Builds the explorer's static site into dist/site (or the folder given as the first argument):
 * the pages and styles from site/, the browser scripts from src/site/, the NATS websocket client
 * bundled from @nats-io/nats-core into vendor/nats.ws/nats.js, and Swagger UI copied from
 * swagger-ui-dist into vendor/swagger-ui/. Nothing is fetched from a CDN at run time.
 */
import { copyFileSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.resolve(process.argv[2] ?? path.join(workspace, "dist/site"));
const require = createRequire(import.meta.url);

const SWAGGER_UI_FILES = [
  "swagger-ui-bundle.js",
  "swagger-ui-bundle.js.LICENSE.txt",
  "swagger-ui.css",
  "LICENSE",
  "NOTICE",
];

async function buildSite(target: string): Promise<void> {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(path.join(workspace, "site"), target, { recursive: true });

  const browser = {
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    logLevel: "warning",
  } as const;
  await build({
    ...browser,
    entryPoints: ["index", "viewer", "inspector"].map((name) =>
      path.join(workspace, "src/site", `${name}.ts`),
    ),
    outdir: target,
  });
  // nats-core is published as CommonJS, so `export *` would export nothing: name every export instead.
  const natsExports = Object.keys(require("@nats-io/nats-core") as object).filter((name) =>
    /^[A-Za-z_$][\w$]*$/.test(name),
  );
  await build({
    ...browser,
    stdin: {
      contents: `export { ${natsExports.join(", ")} } from "@nats-io/nats-core";`,
      resolveDir: workspace,
      loader: "js",
    },
    outfile: path.join(target, "vendor/nats.ws/nats.js"),
  });

  const swaggerUi = path.dirname(require.resolve("swagger-ui-dist/package.json"));
  mkdirSync(path.join(target, "vendor/swagger-ui"), { recursive: true });
  for (const file of SWAGGER_UI_FILES) {
    copyFileSync(path.join(swaggerUi, file), path.join(target, "vendor/swagger-ui", file));
  }
}

await buildSite(outDir);
