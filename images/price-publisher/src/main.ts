/** price-publisher entry point: `node dist/main.js`. */
import { runService } from "@traderx/service-lib";
import { startPricePublisher } from "./app.js";
import { readConfig } from "./config.js";

await runService("price-publisher", async (service) => {
  const config = readConfig(service.env);
  const { app } = await startPricePublisher(service, config);
  await service.listen(app, config.port);
});
