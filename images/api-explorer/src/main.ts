import path from "node:path";
import { fileURLToPath } from "node:url";
import { envPort, envString, runService } from "@traderx/service-lib";
import { parseServices } from "./server/catalog.js";
import { createExplorerApp } from "./server/explorerServer.js";

/** The built site; the same folder whether this runs as dist/main.js or from source as src/main.ts. */
const builtSite = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/site");

await runService("api-explorer", async (service) => {
  const services = parseServices(service.env);
  const siteDir = envString(service.env, "API_EXPLORER_SITE_DIR", builtSite);
  const app = await createExplorerApp(service, services, siteDir, new Date());
  await service.listen(app, envPort(service.env, "API_EXPLORER_PORT", 18094));
});
