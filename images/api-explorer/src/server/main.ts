import path from "node:path";
import { fileURLToPath } from "node:url";
import { envPort, envString, runService } from "@traderx/service-lib";
import { parseServices } from "./catalog.js";
import { createExplorerApp } from "./explorerServer.js";

const builtSite = path.join(path.dirname(fileURLToPath(import.meta.url)), "site");

await runService("api-explorer", async (service) => {
  const services = parseServices(service.env);
  const siteDir = envString(service.env, "API_EXPLORER_SITE_DIR", builtSite);
  const app = await createExplorerApp(service, services, siteDir, new Date());
  await service.listen(app, envPort(service.env, "API_EXPLORER_PORT", 18094));
});
