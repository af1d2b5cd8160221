/**
 * How workloads reach PostgreSQL: the database name, one role per service, and the environment each
 * workload receives. The Pulumi program and the local runtime both build credentials from here.
 */
import { createHmac } from "node:crypto";
import { PeerAddresses, Workload } from "./types";

export const DATABASE_NAME = "traderx";
/** Owns the schema; only the migration runner connects as it. */
export const DATABASE_OWNER_ROLE = "traderx";
/** Name of the Kubernetes Secret holding every role's password, one key per role name. */
export const DATABASE_SECRET_NAME = "database-credentials";

/** The roles services connect as (the owner excluded), in catalog order. */
export function serviceDatabaseRoles(workloads: readonly Workload[]): string[] {
  return workloads.filter((w) => w.database && !w.database.owner).map((w) => w.database!.role);
}

/**
 * A service role's password, derived from the stack's one secret so that it is stable across runs
 * (idempotent deploys) and never stored in plain text. The owner uses the secret itself.
 */
export function deriveRolePassword(ownerPassword: string, role: string): string {
  if (role === DATABASE_OWNER_ROLE) return ownerPassword;
  return createHmac("sha256", ownerPassword).update(`traderx-db-role:${role}`).digest("hex").slice(0, 32);
}

/** Env var that carries a service role's password to the migration runner. */
export function rolePasswordEnvName(role: string): string {
  return `DATABASE_ROLE_PASSWORD_${role.toUpperCase()}`;
}

/**
 * Plain (non-secret) database env of a workload. Passwords are added by the caller: as a secretKeyRef
 * in the cluster, as a literal in the local runtime. Secret env names are listed by `databaseSecretEnv`.
 */
export function databaseEnv(workload: Workload, peers: PeerAddresses, all: readonly Workload[]) {
  if (!workload.database) return {};
  const env: Record<string, string> = {
    DATABASE_PG_HOST: peers.host("database"),
    DATABASE_PG_PORT: String(peers.port("database", "postgres")),
    DATABASE_NAME,
    DATABASE_DBUSER: workload.database.role,
  };
  if (workload.database.owner) env.DATABASE_SERVICE_ROLES = serviceDatabaseRoles(all).join(",");
  return env;
}

/** Secret env of a workload: env var name -> role whose password it carries. */
export function databaseSecretEnv(workload: Workload, all: readonly Workload[]): Record<string, string> {
  if (!workload.database) return {};
  const env: Record<string, string> = { DATABASE_DBPASS: workload.database.role };
  if (workload.database.owner) {
    for (const role of serviceDatabaseRoles(all)) env[rolePasswordEnvName(role)] = role;
  }
  return env;
}
