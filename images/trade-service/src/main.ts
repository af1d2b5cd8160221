import { runService } from "@traderx/service-lib";
import { buildTradeService, tradeServiceConfig } from "./app.js";

await runService("trade-service", async (service) => {
  const config = tradeServiceConfig(service.env);
  await service.listen(await buildTradeService(service, config), config.port);
});
