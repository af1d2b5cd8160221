import path from "node:path";
import { fileURLToPath } from "node:url";
import { envPort, envString, runService } from "@traderx/service-lib";
import { createWebApp } from "./server/webServer.js";

/** `vite build` output; the same folder whether this runs as dist/main.js or from source as src/main.ts. */
const builtClient = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/client");

await runService("web-front-end", async (service) => {
  const staticDir = envString(service.env, "WEB_STATIC_DIR", builtClient);
  const app = await createWebApp(service, staticDir);
  await service.listen(app, envPort(service.env, "WEB_SERVICE_PORT", 18093));
});
