import path from "node:path";
import { fileURLToPath } from "node:url";
import { envPort, envString, runService } from "@traderx/service-lib";
import { createWebApp } from "./webServer.js";

const builtClient = path.join(path.dirname(fileURLToPath(import.meta.url)), "client");

await runService("web-front-end", async (service) => {
  const staticDir = envString(service.env, "WEB_STATIC_DIR", builtClient);
  const app = await createWebApp(service, staticDir);
  await service.listen(app, envPort(service.env, "WEB_SERVICE_PORT", 18093));
});
