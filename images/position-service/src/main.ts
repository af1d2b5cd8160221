import { runService } from "@traderx/service-lib";
import { buildPositionService, positionServiceConfig } from "./app.js";

await runService("position-service", async (service) => {
  const config = positionServiceConfig(service.env);
  await service.listen(await buildPositionService(service, config), config.port);
});
