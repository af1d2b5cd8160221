/** A throwaway PostgreSQL with the TraderX schema, seed data and service roles, for service tests. */
import { createLogger, type DatabaseConfig } from "@traderx/service-lib";
import { startPostgres, type TestPostgres } from "@traderx/service-lib/testing";
import { roleGrants } from "./migrations.js";
import { migrate } from "./migrate.js";

export interface TraderxTestDatabase {
  postgres: TestPostgres;
  /** Connection settings of a service role (`account_service`, `trade_processor`…). */
  asRole(role: string): DatabaseConfig;
  remove(): Promise<void>;
}

export const testRolePassword = (role: string) => `${role}-test-password`;

export async function startTraderxDatabase(
  settings: { durable?: boolean } = {},
): Promise<TraderxTestDatabase> {
  const postgres = await startPostgres(settings);
  const roles = Object.keys(roleGrants).map((name) => ({ name, password: testRolePassword(name) }));
  await migrate(postgres.config, roles, createLogger("database-migrations", { LOG_LEVEL: "silent" }));
  return {
    postgres,
    asRole: (role) => postgres.as(role, testRolePassword(role)),
    remove: () => postgres.remove(),
  };
}
