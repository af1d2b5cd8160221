/**
 * First-render benchmark of the web front end, in Debian's headless Chromium.
 *
 * Time to first render: from navigation start until React has put the header into <app-root> on
 * /trade, and the first contentful paint; baseline: the first contentful paint of a blank static page
 * served by the same server in the same run. Both pages are loaded alternately, each in a fresh browser
 * context (cold HTTP cache), and medians/p90 are reported.
 *
 * Bundle size: the gzipped JavaScript and CSS of the built app; baseline: a minimal React app (one
 * paragraph rendered with react-dom) built with the same Vite setup in the same run.
 *
 * The server runs without the backend services; the trade page's first render (header, tabs, progress)
 * does not wait for them.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { Service } from "@traderx/service-lib";
import { chromium, type Browser } from "playwright-core";
import { build } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/browser.js";
import { createWebApp } from "../src/server/webServer.js";

const ROUNDS = 15;
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const scratch = path.join(workspace, "node_modules/.cache/first-render-bench");

const BLANK_PAGE = "<!doctype html><html><head><title>blank</title></head><body><p>blank</p></body></html>";

/** Records when <app-root> first gets content, before any page script runs. */
const RECORD_FIRST_RENDER = `
  new MutationObserver((_, observer) => {
    if (document.querySelector("app-root header")) {
      window.__firstRenderMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

/** Gzipped bytes of every JS and CSS file, and of the JS the page loads first (its entry script). */
function gzippedAssetBytes(dir: string): { js: number; css: number; entryJs: number } {
  const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
  const sizes = { js: 0, css: 0, entryJs: 0 };
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".js")) sizes.js += gzipped(file);
      else if (entry.name.endsWith(".css")) sizes.css += gzipped(file);
    }
  };
  walk(dir);
  const entry = /<script type="module" crossorigin src="\/?([^"]+)"/.exec(
    readFileSync(path.join(dir, "index.html"), "utf8"),
  );
  if (!entry) throw new Error(`no entry script in ${dir}/index.html`);
  sizes.entryJs = gzipped(path.join(dir, entry[1]));
  return sizes;
}

/** The app as `npm run build` builds it, into a scratch folder so that dist/ stays untouched. */
async function buildApp(): Promise<string> {
  const outDir = path.join(scratch, "app");
  await build({
    root: workspace,
    configFile: path.join(workspace, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** The smallest React app: what any React front end ships before it has features. */
async function buildMinimalReactApp(): Promise<string> {
  const root = path.join(scratch, "minimal-react");
  mkdirSync(root, { recursive: true });
  writeFileSync(
    path.join(root, "index.html"),
    '<!doctype html><html><body><app-root></app-root><script type="module" src="./main.tsx"></script></body></html>',
  );
  writeFileSync(
    path.join(root, "main.tsx"),
    'import { createRoot } from "react-dom/client";\ncreateRoot(document.querySelector("app-root")!).render(<p>hello</p>);\n',
  );
  await build({
    root,
    configFile: false,
    plugins: [react()],
    logLevel: "warn",
    build: { outDir: path.join(root, "dist"), emptyOutDir: true },
  });
  return path.join(root, "dist");
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9) };
}

async function measure(browser: Browser, url: string, app: boolean) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (app) await page.addInitScript(RECORD_FIRST_RENDER);
  await page.goto(url);
  if (app) await page.waitForFunction(() => "__firstRenderMs" in window);
  await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
  const result = await page.evaluate(() => ({
    firstContentfulPaint: performance.getEntriesByName("first-contentful-paint")[0].startTime,
    firstRender: (window as unknown as { __firstRenderMs?: number }).__firstRenderMs ?? Number.NaN,
  }));
  await context.close();
  return result;
}

async function main() {
  rmSync(scratch, { recursive: true, force: true });
  const client = await buildApp();
  const minimal = await buildMinimalReactApp();
  const appSize = gzippedAssetBytes(client);
  const minimalSize = gzippedAssetBytes(minimal);

  const staticDir = mkdtempSync(path.join(tmpdir(), "traderx-bench-web-"));
  cpSync(client, staticDir, { recursive: true });
  writeFileSync(path.join(staticDir, "blank.html"), BLANK_PAGE);
  const service = new Service("web-front-end-bench", { LOG_LEVEL: "warn" });
  const app = await createWebApp(service, staticDir);
  const base = `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    await measure(browser, `${base}/trade`, true); // warm-up: Chromium's own first start
    const appRuns: { firstContentfulPaint: number; firstRender: number }[] = [];
    const blankRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      appRuns.push(await measure(browser, `${base}/trade`, true));
      blankRuns.push((await measure(browser, `${base}/blank.html`, false)).firstContentfulPaint);
    }
    const render = stats(appRuns.map((run) => run.firstRender));
    const appPaint = stats(appRuns.map((run) => run.firstContentfulPaint));
    const blank = stats(blankRuns);
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(`web-front-end first render in Chromium (${ROUNDS} cold loads each, median / p90)`);
    console.log(`  app /trade: header rendered        ${ms(render.median)} / ${ms(render.p90)}`);
    console.log(`  app /trade: first contentful paint ${ms(appPaint.median)} / ${ms(appPaint.p90)}`);
    console.log(`  baseline blank page: FCP           ${ms(blank.median)} / ${ms(blank.p90)}`);
    console.log(`  ratio app render / blank FCP       ${(render.median / blank.median).toFixed(2)}x`);
    console.log(`web-front-end bundle, gzipped`);
    console.log(
      `  app:      JS ${kb(appSize.js)} (entry ${kb(appSize.entryJs)}, the rest loads after), CSS ${kb(appSize.css)}`,
    );
    console.log(`  baseline minimal React app: JS ${kb(minimalSize.js)}, CSS ${kb(minimalSize.css)}`);
    console.log(`  ratio JS app / baseline            ${(appSize.js / minimalSize.js).toFixed(2)}x`);
  } finally {
    await browser.close();
    await service.stop();
    rmSync(staticDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
