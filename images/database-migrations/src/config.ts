/** The runner's settings: the owner connection plus each service role and its password. */
import { ConfigError, databaseConfig, envInt, type DatabaseConfig, type Env } from "@traderx/service-lib";
import type { ServiceRole } from "./migrate.js";

export interface MigrationConfig {
  owner: DatabaseConfig;
  roles: ServiceRole[];
  /** How long to keep retrying while the database is not reachable yet. */
  waitSeconds: number;
}

/** Env name of a role's password; matches `rolePasswordEnvName` in components/catalog/database.ts. */
export function rolePasswordKey(role: string): string {
  return `DATABASE_ROLE_PASSWORD_${role.toUpperCase()}`;
}

export function migrationConfig(env: Env): MigrationConfig {
  const roleNames = (env.DATABASE_SERVICE_ROLES ?? "")
    .split(",")
    .map((role) => role.trim())
    .filter(Boolean);
  const roles = roleNames.map((name) => {
    const key = rolePasswordKey(name);
    const password = env[key];
    if (!password) {
      throw new ConfigError(
        key,
        `no password for role "${name}" listed in DATABASE_SERVICE_ROLES`,
        `set ${key}`,
      );
    }
    return { name, password };
  });
  return {
    owner: databaseConfig(env),
    roles,
    waitSeconds: envInt(env, "DATABASE_WAIT_SECONDS", 120, { min: 0 }),
  };
}
