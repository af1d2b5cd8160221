/**
 * A throwaway PostgreSQL server for tests: its own data directory under the OS temp dir, a free port, the
 * `traderx` superuser with password `traderx`, and the `traderx` database. PostgreSQL refuses to run as
 * root, so under root it runs as the `postgres` system user.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chownSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { DatabaseConfig } from "../config.js";
import { freePort, startProcess, waitFor, type TestProcess } from "./processes.js";

const SUPERUSER = "traderx";
const PASSWORD = "traderx";

function postgresBinDir(): string {
  const fromPath = execFileSync("sh", ["-c", "command -v initdb || true"]).toString().trim();
  if (fromPath) return "";
  // Debian installs the server binaries outside PATH.
  const candidates = execFileSync("sh", [
    "-c",
    "ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1",
  ])
    .toString()
    .trim();
  if (!candidates) throw new Error("PostgreSQL server binaries not found; install the postgresql package");
  return `${candidates}/`;
}

/** Runs a command as the postgres user when we are root, else as ourselves. */
function asDatabaseUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]];
}

export interface TestPostgres {
  /** Owner connection settings (superuser `traderx` on database `traderx`). */
  config: DatabaseConfig;
  port: number;
  /** Settings for another role on the same database. */
  as(user: string, password: string): DatabaseConfig;
  /** Fast shutdown (SIGINT), or a crash (SIGKILL); the data directory is kept until `remove`. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  remove(): Promise<void>;
}

export async function startPostgres(settings: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "traderx-pg-"));
  const dataDir = join(dir, "data");
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, PASSWORD);
  if (process.getuid?.() === 0) {
    const postgresUid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const postgresGid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    chownSync(dir, postgresUid, postgresGid);
    chownSync(passwordFile, postgresUid, postgresGid);
  }
  const [initCommand, initArgs] = asDatabaseUser(`${bin}initdb`, [
    "-D",
    dataDir,
    "-U",
    SUPERUSER,
    `--pwfile=${passwordFile}`,
    "--auth=scram-sha-256",
    "--encoding=UTF8",
    "--no-instructions",
  ]);
  execFileSync(initCommand, initArgs, { stdio: "pipe" });

  const port = await freePort();
  const durability = settings.durable
    ? []
    : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
  let server: TestProcess;
  const config: DatabaseConfig = {
    host: "127.0.0.1",
    port,
    database: "traderx",
    user: SUPERUSER,
    password: PASSWORD,
  };

  const launch = async () => {
    const [command, args] = asDatabaseUser(`${bin}postgres`, [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=200",
      ...durability,
    ]);
    server = startProcess(command, args);
    await waitFor(
      `PostgreSQL on port ${port}`,
      async () => {
        if (server.child.exitCode !== null) throw new Error(`postgres exited:\n${server.output()}`);
        const client = new pg.Client({ ...config, database: "postgres" });
        try {
          await client.connect();
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      30_000,
    );
  };

  await launch();
  const admin = new pg.Client({ ...config, database: "postgres" });
  await admin.connect();
  await admin.query("CREATE DATABASE traderx");
  await admin.end();

  const stop = async (signal: NodeJS.Signals = "SIGINT") => {
    await server.stop(signal);
  };
  return {
    config,
    port,
    as: (user, password) => ({ ...config, user, password }),
    stop,
    restart: launch,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
