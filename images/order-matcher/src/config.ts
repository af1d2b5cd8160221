/** order-matcher settings (contract 1.1 and 4.3), validated at start. */
import {
  ConfigError,
  databaseConfig,
  envBool,
  envInt,
  envPort,
  envString,
  natsAddress,
  peerUrl,
  type DatabaseConfig,
  type Env,
} from "@traderx/service-lib";

export interface OrderMatcherConfig {
  port: number;
  natsAddress: string;
  database: DatabaseConfig;
  /** Delay between scheduled ticks. */
  tickMs: number;
  fullFillThreshold: number;
  seedEnabled: boolean;
  /** Only echoed in `/health`: market prices come from `pricing.*` ticks alone (contract 4.3). */
  priceServiceUrl: string;
  /** Where fills are submitted as market trades, e.g. `http://trade-service:18092/trade/`. */
  tradeServiceUrl: string;
  /** Orders are checked against account-service and reference-data (stricter than the reference). */
  accountServiceUrl: string;
  referenceDataUrl: string;
}

/** A URL kept exactly as configured (the trade-service URL ends with `/trade/`). */
function envUrl(env: Env, key: string, fallback: string): string {
  const value = envString(env, key, fallback);
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new ConfigError(key, `"${value}" is not a URL`, `set it to an absolute URL such as ${fallback}`);
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new ConfigError(key, `"${value}" is not an http(s) URL`, `use an http:// or https:// URL`);
  }
  return value;
}

export function readConfig(env: Env): OrderMatcherConfig {
  return {
    port: envPort(env, "ORDER_MATCHER_PORT", 18110),
    natsAddress: natsAddress(env),
    database: databaseConfig(env),
    tickMs: envInt(env, "ORDER_MATCHER_TICK_MS", 1000, { min: 10 }),
    fullFillThreshold: envInt(env, "ORDER_FILL_FULL_THRESHOLD", 1000, { min: 1 }),
    seedEnabled: envBool(env, "ORDER_MATCHER_SEED_ENABLED", true),
    priceServiceUrl: envUrl(env, "PRICE_SERVICE_URL", "http://price-publisher:18100"),
    tradeServiceUrl: envUrl(env, "TRADE_SERVICE_URL", "http://trade-service:18092/trade/"),
    accountServiceUrl: peerUrl(env, {
      urlKey: "ACCOUNT_SERVICE_URL",
      hostKey: "ACCOUNT_SERVICE_HOST",
      defaultHost: "account-service",
      port: 18088,
    }),
    referenceDataUrl: peerUrl(env, {
      urlKey: "REFERENCE_DATA_URL",
      hostKey: "REFERENCE_DATA_HOST",
      defaultHost: "reference-data",
      port: 18085,
    }),
  };
}
