import { runService } from "@traderx/service-lib";
import { buildTradeProcessor, tradeProcessorConfig } from "./app.js";

await runService("trade-processor", async (service) => {
  const config = tradeProcessorConfig(service.env);
  await service.listen(await buildTradeProcessor(service, config), config.port);
});
