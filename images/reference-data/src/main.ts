import { runService } from "@traderx/service-lib";
import { buildReferenceData, referenceDataConfig } from "./app.js";

await runService("reference-data", async (service) => {
  const config = referenceDataConfig(service.env);
  await service.listen(await buildReferenceData(service, config), config.port);
});
