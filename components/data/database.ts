/**
 * Pure renderers for PostgreSQL: the role passwords held in the credentials Secret, the environment a
 * database client receives, and the nightly backup CronJob.
 */
import { scryptSync } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import {
  DATABASE_NAME,
  DATABASE_OWNER_ROLE,
  DATABASE_SECRET_NAME,
  PeerAddresses,
  Workload,
  databaseEnv,
  databaseSecretEnv,
  deriveRolePassword,
  serviceDatabaseRoles,
} from "../catalog";
import { SecretKeyRef, WorkloadShape, configChecksum, renderPodTemplate } from "../workloads/hardened-pod";

export type CronJobSpec = Unwrap<k8s.types.input.batch.v1.CronJobSpec>;

/** Secret data: role -> password, for the owner and every service role of the deployed workloads. */
export function databaseRolePasswords(
  ownerPassword: string,
  workloads: readonly Workload[],
): Record<string, string> {
  const roles = [DATABASE_OWNER_ROLE, ...serviceDatabaseRoles(workloads)];
  return Object.fromEntries(roles.map((role) => [role, deriveRolePassword(ownerPassword, role)]));
}

/**
 * A value that changes with the owner password (every role's password derives from it), for the pod
 * annotation that rolls the Secret's readers. It is a deliberately slow hash: anyone who can read pods can
 * read it, and guessing a weak password from it must stay expensive.
 */
export function credentialsVersion(ownerPassword: string): string {
  return scryptSync(ownerPassword, "traderx-database-credentials-version", 32).toString("hex");
}

/** The database env of a workload: plain values, and the passwords as references into the Secret. */
export function databaseClientEnv(
  workload: Workload,
  peers: PeerAddresses,
  all: readonly Workload[],
): { env: Record<string, string>; secretEnv: Record<string, SecretKeyRef> } {
  const secretEnv = Object.fromEntries(
    Object.entries(databaseSecretEnv(workload, all)).map(([name, role]) => [
      name,
      { secretName: DATABASE_SECRET_NAME, key: role },
    ]),
  );
  return { env: databaseEnv(workload, peers, all), secretEnv };
}

/** Seconds the owner-password sync waits for PostgreSQL to accept connections before it gives up. */
export const OWNER_PASSWORD_SYNC_WAIT_SECONDS = 120;

/**
 * The database container's postStart hook. PostgreSQL's image applies POSTGRES_PASSWORD only when it
 * initialises an empty volume, so after `traderx:dbPassword` changes, the Secret and the owner role would
 * disagree and the migrations and backups could no longer log in. Once the server accepts connections, this
 * sets the owner's password to the Secret's over the local socket (trusted inside the container). It never
 * fails the container: if the server is not up in time, the next start tries again. What it did goes to
 * the log of the container's main process (`$OWNER_PASSWORD_SYNC_LOG`, for tests).
 */
export function renderOwnerPasswordSync(): string {
  return [
    'log="${OWNER_PASSWORD_SYNC_LOG:-/proc/1/fd/2}"',
    // An unwritable log must not keep the password from being set.
    '{ : >>"$log"; } 2>/dev/null || log=/dev/null',
    `waited=0`,
    `until pg_isready -q -U ${DATABASE_OWNER_ROLE} -d ${DATABASE_NAME}; do`,
    `  if [ "$waited" -ge ${OWNER_PASSWORD_SYNC_WAIT_SECONDS} ]; then`,
    `    echo "owner password sync: PostgreSQL not ready after ${OWNER_PASSWORD_SYNC_WAIT_SECONDS} s; skipped" >>"$log"`,
    "    exit 0",
    "  fi",
    "  sleep 1",
    "  waited=$((waited + 1))",
    "done",
    // \getenv reads the password into a psql variable, so it appears on no command line.
    `if printf '%s\\n' '\\getenv password POSTGRES_PASSWORD' "ALTER ROLE ${DATABASE_OWNER_ROLE} PASSWORD :'password';" |`,
    `  psql -q -v ON_ERROR_STOP=1 -U ${DATABASE_OWNER_ROLE} -d ${DATABASE_NAME} >>"$log" 2>&1; then`,
    `  echo "owner password sync: ${DATABASE_OWNER_ROLE} has the password of the Secret" >>"$log"`,
    "else",
    `  echo "owner password sync: failed; ${DATABASE_OWNER_ROLE} keeps its password" >>"$log"`,
    "fi",
    // A failed postStart hook would kill the database container.
    "exit 0",
  ].join("\n");
}

export const BACKUP_SCHEDULE = "30 2 * * *";
/** Dumps kept on the backup volume; older ones are removed after each successful dump. */
export const BACKUPS_KEPT = 7;
export const BACKUP_VOLUME_CLAIM = "database-backups";
const BACKUP_DIR = "/backups";

/** The backup pod, described like a workload so it gets the same hardening. */
export function backupPodShape(database: Workload): WorkloadShape {
  return {
    name: "database-backup",
    tier: "data",
    kind: "Job",
    ports: [],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    runAsUser: database.runAsUser,
    terminationGracePeriodSeconds: 30,
  };
}

/**
 * The backup script: a custom-format `pg_dump` (connection from the PG* environment) written under a
 * temporary name and renamed when complete, then all but the newest `kept` dumps removed.
 */
export function renderBackupScript(dir: string, kept: number): string {
  return [
    "set -eu",
    `file="${dir}/traderx-$(date -u +%Y%m%dT%H%M%SZ).dump"`,
    'pg_dump --format=custom --file="$file.partial"',
    'mv "$file.partial" "$file"',
    `ls -1t ${dir}/*.dump | tail -n +${kept + 1} | xargs -r rm --`,
    'echo "backup written: $file"',
  ].join("\n");
}

/**
 * A custom-format `pg_dump` of the whole database every night onto its own PVC, keeping the newest
 * `BACKUPS_KEPT`. Restore with `pg_restore --clean --if-exists -d traderx <file>`.
 */
export function renderBackupCronJobSpec(input: {
  database: Workload;
  image: string;
  instance: string;
  peers: PeerAddresses;
}): CronJobSpec {
  const script = renderBackupScript(BACKUP_DIR, BACKUPS_KEPT);
  const template = renderPodTemplate({
    workload: backupPodShape(input.database),
    image: input.image,
    instance: input.instance,
    command: ["/bin/sh", "-c", script],
    env: {
      PGHOST: input.peers.host("database"),
      PGPORT: String(input.peers.port("database", "postgres")),
      PGUSER: DATABASE_OWNER_ROLE,
      PGDATABASE: DATABASE_NAME,
    },
    secretEnv: { PGPASSWORD: { secretName: DATABASE_SECRET_NAME, key: DATABASE_OWNER_ROLE } },
    volumes: [{ name: "backups", persistentVolumeClaim: { claimName: BACKUP_VOLUME_CLAIM } }],
    volumeMounts: [{ name: "backups", mountPath: BACKUP_DIR }],
    configChecksum: configChecksum(script),
  });
  return {
    schedule: BACKUP_SCHEDULE,
    timeZone: "Etc/UTC",
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 1800, template } },
  };
}
