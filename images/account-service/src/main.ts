import { runService } from "@traderx/service-lib";
import { accountServiceConfig, buildAccountService } from "./app.js";

await runService("account-service", async (service) => {
  const config = accountServiceConfig(service.env);
  await service.listen(await buildAccountService(service, config), config.port);
});
