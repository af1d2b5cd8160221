import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { envPort, envString, runService } from "@traderx/service-lib";
import { parseServices } from "./server/catalog.js";
import { createExplorerApp } from "./server/explorerServer.js";

const here = fileURLToPath(import.meta.url);
const workspace = path.resolve(path.dirname(here), "..");
/** The built site; the same folder whether this runs as dist/main.js or from source as src/main.ts. */
const builtSite = path.join(workspace, "dist/site");

/**
 * Run from source (the local runtime's default, through tsx) before any `npm run build`, there is no
 * built site: build one the way `npm run build` does, into /tmp, the only place a service may write.
 * The image always ships dist/site, so dist/main.js never does this.
 */
function siteFromSource(): string {
  const siteDir = path.join(tmpdir(), "traderx-api-explorer-site");
  execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(workspace, "scripts/build-site.ts"), siteDir],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  return siteDir;
}

const hasBuiltSite = existsSync(path.join(builtSite, "pubsub-inspector.html"));

await runService("api-explorer", async (service) => {
  const services = parseServices(service.env);
  const siteDir =
    envString(service.env, "API_EXPLORER_SITE_DIR", "") ||
    (hasBuiltSite || !here.endsWith(".ts") ? builtSite : siteFromSource());
  const app = await createExplorerApp(service, services, siteDir, new Date());
  await service.listen(app, envPort(service.env, "API_EXPLORER_PORT", 18094));
});
