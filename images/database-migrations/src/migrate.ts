/**
 * Applies the pending migrations and sets up the service roles. Safe to run any number of times and from
 * several replicas at once: a session-level advisory lock serialises runners, a table records each
 * applied version, and every role statement is idempotent.
 */
import pg from "pg";
import type { DatabaseConfig, Logger } from "@traderx/service-lib";
import { migrations as allMigrations, roleGrants, type Migration } from "./migrations.js";

/** Arbitrary constant naming "TraderX migrations" among the cluster's advisory locks. */
const MIGRATION_LOCK_KEY = 7_310_010;

export interface ServiceRole {
  name: string;
  password: string;
}

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
  roles: string[];
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function migrate(
  config: DatabaseConfig,
  roles: readonly ServiceRole[],
  logger: Logger,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  for (const role of roles) {
    if (!ROLE_NAME.test(role.name)) throw new Error(`role name "${role.name}" must match ${ROLE_NAME}`);
  }
  const client = new pg.Client({
    ...config,
    options: "-c timezone=UTC",
    application_name: "database-migrations",
  });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name VARCHAR(100) NOT NULL,
      applied TIMESTAMP NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(
        (row) => row.version,
      ),
    );
    const report: MigrationReport = { applied: [], alreadyApplied: [], roles: [] };
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) {
        report.alreadyApplied.push(migration.version);
        continue;
      }
      await inTransaction(client, async () => {
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
      });
      logger.info({ version: migration.version, name: migration.name }, "migration applied");
      report.applied.push(migration.version);
    }
    await inTransaction(client, () => setUpRoles(client, config, roles));
    report.roles = roles.map((role) => role.name);
    return report;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function inTransaction(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query("BEGIN");
  try {
    await work();
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Creates or updates each role and resets its privileges to exactly those in `roleGrants`. */
async function setUpRoles(client: pg.Client, config: DatabaseConfig, roles: readonly ServiceRole[]) {
  const database = client.escapeIdentifier(config.database);
  await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  for (const role of roles) {
    const name = client.escapeIdentifier(role.name);
    const password = client.escapeLiteral(role.password);
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role.name]);
    const verb = exists.rowCount ? "ALTER" : "CREATE";
    await client.query(
      `${verb} ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`,
    );
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${name}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${name}`);
    await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${name}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
    for (const grant of roleGrants[role.name] ?? []) await client.query(grant.replaceAll("{role}", name));
  }
}
