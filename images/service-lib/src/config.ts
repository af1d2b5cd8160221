/**
 * Typed configuration from environment variables, with the names and defaults of contract section 1.1.
 * Every reader throws a ConfigError that names the variable and says how to fix it, so a bad value stops
 * the service at start with a clear message instead of failing later.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    fix: string,
  ) {
    super(`config ${key}: ${problem}; ${fix}`);
    this.name = "ConfigError";
  }
}

/** A variable's value, or the fallback when it is unset or blank. */
export function envString(env: Env, key: string, fallback: string): string {
  const raw = env[key]?.trim();
  return raw ? raw : fallback;
}

export function envInt(
  env: Env,
  key: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  if (!/^-?\d+$/.test(raw)) {
    throw new ConfigError(
      key,
      `"${raw}" is not a whole number`,
      `set it to a whole number such as ${fallback}, or unset it`,
    );
  }
  const value = Number(raw);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (value < min || value > max) {
    throw new ConfigError(
      key,
      `${value} is outside ${min}..${max}`,
      `set it within that range, or unset it for ${fallback}`,
    );
  }
  return value;
}

export function envBool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (["true", "1", "yes", "on"].includes(raw)) return true;
  if (["false", "0", "no", "off"].includes(raw)) return false;
  throw new ConfigError(key, `"${env[key]}" is not a boolean`, "set it to true or false, or unset it");
}

/** A TCP port to listen on. */
export function envPort(env: Env, key: string, fallback: number): number {
  return envInt(env, key, fallback, { min: 0, max: 65535 });
}

/** `http://…` or `https://…` URL with any trailing slash removed. */
function checkedUrl(key: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(key, `"${raw}" is not a URL`, "set it to an absolute URL such as http://host:port");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(key, `"${raw}" is not an http(s) URL`, "use an http:// or https:// URL");
  }
  return raw.replace(/\/+$/, "");
}

export interface PeerSetting {
  /** Variable holding the whole base URL; wins over the host variable (e.g. `PEOPLE_SERVICE_URL`). */
  urlKey: string;
  /** Variable holding only the host; the port is appended (e.g. `PEOPLE_SERVICE_HOST`). */
  hostKey: string;
  defaultHost: string;
  port: number;
}

/** Base URL of a peer service, without a trailing slash (contract 1.1 "Peer hosts"). */
export function peerUrl(env: Env, peer: PeerSetting): string {
  const url = env[peer.urlKey]?.trim();
  if (url) return checkedUrl(peer.urlKey, url);
  const host = envString(env, peer.hostKey, peer.defaultHost);
  return checkedUrl(peer.hostKey, `http://${host}:${peer.port}`);
}

export interface DatabaseConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export function databaseConfig(env: Env): DatabaseConfig {
  return {
    host: envString(env, "DATABASE_PG_HOST", "database"),
    port: envPort(env, "DATABASE_PG_PORT", 5432),
    database: envString(env, "DATABASE_NAME", "traderx"),
    user: envString(env, "DATABASE_DBUSER", "traderx"),
    password: envString(env, "DATABASE_DBPASS", "traderx"),
  };
}

/** `NATS_ADDRESS` overrides the whole URL; otherwise `nats://<NATS_BROKER_HOST>:4222`. */
export function natsAddress(env: Env): string {
  const address = env.NATS_ADDRESS?.trim();
  if (address) {
    if (!/^(nats|tls):\/\/[^/\s]+$/.test(address)) {
      throw new ConfigError("NATS_ADDRESS", `"${address}" is not a NATS URL`, "set it to nats://host:port");
    }
    return address;
  }
  return `nats://${envString(env, "NATS_BROKER_HOST", "nats-broker")}:4222`;
}

/** Allowed browser origins: `"any"` when `CORS_ALLOWED_ORIGINS` is unset, blank or `*` (contract 9). */
export type CorsPolicy = "any" | readonly string[];

export function corsPolicy(env: Env): CorsPolicy {
  const origins = (env.CORS_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  if (origins.length === 0 || origins.includes("*")) return "any";
  return origins;
}
