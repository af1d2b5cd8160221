/**
 * PostgreSQL through a node-postgres pool. The pool opens connections on demand, so the service recovers
 * by itself when the database restarts; readiness asks the database, not the pool.
 */
import pg from "pg";
import type { DatabaseConfig } from "./config.js";
import type { Logger } from "./logging.js";

// TIMESTAMP (without time zone) columns hold UTC wall-clock time: sessions run with timezone=UTC, and
// values read back are interpreted as UTC rather than as the host's local time.
const TIMESTAMP_OID = 1114;
pg.types.setTypeParser(TIMESTAMP_OID, (value) => new Date(`${value.replace(" ", "T")}Z`));

export type Queryable = Pick<pg.PoolClient, "query">;

export class Database {
  readonly pool: pg.Pool;

  constructor(
    config: DatabaseConfig,
    private readonly logger: Logger,
    poolSize = 10,
  ) {
    this.pool = new pg.Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: config.password,
      max: poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      options: "-c timezone=UTC",
      application_name: logger.bindings().service as string | undefined,
    });
    // An idle client losing its connection (database restart) must not crash the process.
    this.pool.on("error", (error) => this.logger.warn({ err: error }, "idle database connection lost"));
  }

  query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, params);
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool listens for errors only on idle clients. A borrowed one whose server goes away would
    // emit an unhandled 'error' and end the process; keep it, and discard that connection on release.
    let connectionError: Error | undefined;
    const onConnectionError = (error: Error) => {
      connectionError = error;
    };
    client.on("error", onConnectionError);
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.off("error", onConnectionError);
      client.release(connectionError);
    }
  }

  /** True when a round trip to the database succeeds within two seconds. */
  async isReady(): Promise<boolean> {
    try {
      await Promise.race([
        this.pool.query("SELECT 1"),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
