/**
 * The trade intake for tests and benchmarks: trade-service with its real peers. people-service,
 * account-service and reference-data run in this process; price-publisher runs as its own process from
 * its source, as it would in the cluster. PostgreSQL and NATS come from the caller.
 */
import { fileURLToPath } from "node:url";
import { Service } from "@traderx/service-lib";
import { freePort, startProcess, waitFor } from "@traderx/service-lib/testing";
import type { TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { buildAccountService } from "@traderx/account-service/app";
import { buildPeopleService } from "@traderx/people-service/app";
import { buildReferenceData, referenceDataConfig } from "@traderx/reference-data/app";
import { buildTradeService } from "../src/app.js";

export interface TradeIntake {
  tradeServiceUrl: string;
  referenceDataUrl: string;
  accountServiceUrl: string;
  priceServiceUrl: string;
  tradeService: Service;
  stop(): Promise<void>;
}

const PRICE_PUBLISHER_MAIN = fileURLToPath(new URL("../../price-publisher/src/main.ts", import.meta.url));

export async function startTradeIntake(database: TraderxTestDatabase, natsUrl: string): Promise<TradeIntake> {
  const quiet = { LOG_LEVEL: "silent" };
  const started: Service[] = [];
  const serve = async (service: Service, app: Parameters<Service["listen"]>[0]) => {
    started.push(service);
    return `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
  };

  const pricePort = await freePort();
  const pricePublisher = startProcess(
    process.execPath,
    ["--import", "tsx", "--conditions=source", PRICE_PUBLISHER_MAIN],
    {
      env: {
        ...process.env,
        LOG_LEVEL: "warn",
        PRICE_PUBLISHER_PORT: String(pricePort),
        NATS_ADDRESS: natsUrl,
        // Every ticker ticks every few hundred ms, so a test waiting for one tick waits briefly and surely.
        PRICE_PUBLISH_INTERVAL_MIN_MS: "200",
        PRICE_PUBLISH_INTERVAL_MAX_MS: "400",
        PRICE_PUBLISH_BATCH_RATIO: "1",
      },
    },
  );
  const priceServiceUrl = `http://127.0.0.1:${pricePort}`;

  const people = new Service("people-service", quiet);
  const peopleUrl = await serve(people, await buildPeopleService(people));
  const accounts = new Service("account-service", quiet);
  const accountServiceUrl = await serve(
    accounts,
    await buildAccountService(accounts, {
      port: 0,
      database: database.asRole("account_service"),
      peopleServiceUrl: peopleUrl,
    }),
  );
  const referenceData = new Service("reference-data", quiet);
  const referenceDataUrl = await serve(
    referenceData,
    await buildReferenceData(referenceData, referenceDataConfig({})),
  );
  const tradeService = new Service("trade-service", quiet);
  const tradeServiceUrl = await serve(
    tradeService,
    await buildTradeService(tradeService, {
      port: 0,
      natsAddress: natsUrl,
      referenceDataUrl,
      accountServiceUrl,
      priceServiceUrl,
    }),
  );

  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
    await pricePublisher.stop();
  };
  try {
    await waitFor("price-publisher /health", async () => {
      if (pricePublisher.child.exitCode !== null)
        throw new Error(`price-publisher exited:\n${pricePublisher.output()}`);
      return (await fetch(`${priceServiceUrl}/health`)).ok;
    });
    await waitFor(
      "trade-service readiness",
      async () => (await fetch(`${tradeServiceUrl}/actuator/health/readiness`)).ok,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { tradeServiceUrl, referenceDataUrl, accountServiceUrl, priceServiceUrl, tradeService, stop };
}
