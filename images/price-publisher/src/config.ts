/** price-publisher settings (contract 1.1 and 4.2), validated at start. */
import { ConfigError, envInt, envPort, envString, natsAddress, type Env } from "@traderx/service-lib";
import type { PublishCadence } from "./price-model.js";
import { PRICE_SNAPSHOT } from "./snapshot.js";

export interface PricePublisherConfig {
  port: number;
  natsAddress: string;
  /** The bootstrap universe, upper-cased, in the configured order. */
  tickers: string[];
  cadence: PublishCadence;
  /** Set: every random choice derives from it, so tests can predict prices. Unset: not reproducible. */
  seed: number | undefined;
}

const BOOTSTRAP_MODES = ["snapshot", "yfinance"];

function envRatio(env: Env, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new ConfigError(key, `"${raw}" is not a number in (0, 1]`, `set it to a share such as ${fallback}`);
  }
  return value;
}

export function readConfig(env: Env): PricePublisherConfig {
  const mode = envString(env, "PRICE_BOOTSTRAP_MODE", "snapshot");
  if (!BOOTSTRAP_MODES.includes(mode)) {
    throw new ConfigError(
      "PRICE_BOOTSTRAP_MODE",
      `"${mode}" is not a bootstrap mode`,
      "set it to snapshot or yfinance",
    );
  }
  const tickers = [
    ...new Set(
      envString(env, "PRICE_TICKERS", Object.keys(PRICE_SNAPSHOT).join(","))
        .split(",")
        .map((ticker) => ticker.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
  const minMs = envInt(env, "PRICE_PUBLISH_INTERVAL_MIN_MS", 750, { min: 1 });
  const maxMs = envInt(env, "PRICE_PUBLISH_INTERVAL_MAX_MS", 1500, { min: 1 });
  if (maxMs < minMs) {
    throw new ConfigError(
      "PRICE_PUBLISH_INTERVAL_MAX_MS",
      `${maxMs} is below PRICE_PUBLISH_INTERVAL_MIN_MS (${minMs})`,
      "set it at or above the minimum",
    );
  }
  const seed = env.PRICE_RANDOM_SEED?.trim() ? envInt(env, "PRICE_RANDOM_SEED", 0) : undefined;
  return {
    port: envPort(env, "PRICE_PUBLISHER_PORT", 18100),
    natsAddress: natsAddress(env),
    tickers,
    cadence: { minMs, maxMs, ratio: envRatio(env, "PRICE_PUBLISH_BATCH_RATIO", 0.25) },
    seed,
  };
}
