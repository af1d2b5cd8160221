/** order-matcher entry point: `node dist/main.js`. */
import { runService } from "@traderx/service-lib";
import { startOrderMatcher } from "./app.js";
import { readConfig } from "./config.js";

await runService("order-matcher", async (service) => {
  const config = readConfig(service.env);
  const { app } = await startOrderMatcher(service, config);
  await service.listen(app, config.port);
});
