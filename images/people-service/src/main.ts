import { runService } from "@traderx/service-lib";
import { buildPeopleService, peopleServiceConfig } from "./app.js";

await runService("people-service", async (service) => {
  await service.listen(await buildPeopleService(service), peopleServiceConfig(service.env).port);
});
