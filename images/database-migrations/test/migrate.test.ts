import { expect } from "chai";
import pg from "pg";
import { createLogger, type DatabaseConfig } from "@traderx/service-lib";
import { startPostgres, startProcess, type TestPostgres } from "@traderx/service-lib/testing";
import { migrate, migrationConfig, roleGrants, type ServiceRole } from "../src/index.js";

const logger = createLogger("migrations-test", { LOG_LEVEL: "silent" });
const roles: ServiceRole[] = Object.keys(roleGrants).map((name) => ({ name, password: `${name}-pw` }));

async function withClient<T>(config: DatabaseConfig, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function counts(config: DatabaseConfig) {
  return withClient(config, async (client) => {
    const count = async (table: string) =>
      Number((await client.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    return {
      accounts: await count("accounts"),
      accountusers: await count("accountusers"),
      trades: await count("trades"),
      positions: await count("positions"),
      orderbook: await count("orderbook"),
    };
  });
}

describe("database migrations", () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres.remove());

  it("applies each version once even when several runners start together", async () => {
    const reports = await Promise.all([1, 2, 3].map(() => migrate(postgres.config, roles, logger)));
    const applied = reports.flatMap((report) => report.applied).sort();
    expect(applied).to.deep.equal([1, 2]);
    expect(await counts(postgres.config)).to.deep.equal({
      accounts: 7,
      accountusers: 18,
      trades: 4,
      positions: 4,
      orderbook: 0,
    });
  });

  it("does no harm when run again, and keeps data written in between", async () => {
    await withClient(postgres.config, (client) => client.query("INSERT INTO accounts VALUES (77, 'Kept')"));
    const report = await migrate(postgres.config, roles, logger);
    expect(report.applied).to.deep.equal([]);
    expect(report.alreadyApplied).to.deep.equal([1, 2]);
    expect((await counts(postgres.config)).accounts).to.equal(8);
  });

  it("keeps the data across a database restart", async () => {
    await postgres.stop();
    await postgres.restart();
    expect((await counts(postgres.config)).accounts).to.equal(8);
    expect((await migrate(postgres.config, roles, logger)).applied).to.deep.equal([]);
  });

  it("starts accounts_seq at 65000", async () => {
    const next = await withClient(postgres.as("account_service", "account_service-pw"), (client) =>
      client.query("SELECT nextval('accounts_seq') AS id"),
    );
    expect(Number(next.rows[0].id)).to.be.at.least(65000);
  });

  it("lets each role touch only what it owns or reads", async () => {
    const attempt = (role: string, sql: string) =>
      withClient(postgres.as(role, `${role}-pw`), (client) => client.query(sql)).then(
        () => "allowed",
        (error: Error) => (error.message.includes("permission denied") ? "denied" : error.message),
      );
    expect(await attempt("account_service", "SELECT * FROM accounts")).to.equal("allowed");
    expect(await attempt("account_service", "SELECT * FROM trades")).to.equal("denied");
    expect(await attempt("position_service", "SELECT * FROM positions")).to.equal("allowed");
    expect(await attempt("position_service", "DELETE FROM trades")).to.equal("denied");
    expect(await attempt("trade_processor", "SELECT * FROM booked_trade_messages")).to.equal("allowed");
    expect(await attempt("trade_processor", "DELETE FROM booked_trade_messages WHERE false")).to.equal(
      "allowed",
    );
    expect(await attempt("trade_processor", "DELETE FROM trades WHERE false")).to.equal("denied");
    expect(await attempt("trade_processor", "SELECT * FROM accountusers")).to.equal("denied");
    expect(await attempt("order_matcher", "SELECT * FROM orderbook")).to.equal("allowed");
    expect(await attempt("order_matcher", "SELECT * FROM positions")).to.equal("denied");
    expect(await attempt("order_matcher", "CREATE TABLE sneaky (id INTEGER)")).to.equal("denied");
    expect(await attempt("metrics_reader", "SELECT * FROM trades")).to.equal("denied");
  });

  it("lets the metrics reader see the state of every role's sessions", async () => {
    // An idle session of another role, whose state pg_stat_activity hides from roles without pg_monitor.
    const activity = await withClient(postgres.as("order_matcher", "order_matcher-pw"), () =>
      withClient(postgres.as("metrics_reader", "metrics_reader-pw"), (client) =>
        client.query<{ usename: string; state: string | null }>(
          "SELECT usename, state FROM pg_stat_activity WHERE backend_type = 'client backend'",
        ),
      ),
    );
    expect(activity.rows).to.deep.include({ usename: "order_matcher", state: "idle" });
  });

  it("updates a role's password on the next run", async () => {
    const changed = roles.map((role) =>
      role.name === "order_matcher" ? { ...role, password: "rotated" } : role,
    );
    await migrate(postgres.config, changed, logger);
    const rows = await withClient(postgres.as("order_matcher", "rotated"), (client) =>
      client.query("SELECT 1"),
    );
    expect(rows.rowCount).to.equal(1);
  });

  it("names the missing password variable in its config error", () => {
    expect(() => migrationConfig({ DATABASE_SERVICE_ROLES: "account_service" })).to.throw(
      /DATABASE_ROLE_PASSWORD_ACCOUNT_SERVICE/,
    );
    expect(
      migrationConfig({ DATABASE_SERVICE_ROLES: "a_b", DATABASE_ROLE_PASSWORD_A_B: "x" }).roles,
    ).to.deep.equal([{ name: "a_b", password: "x" }]);
  });
});

describe("database-migrations main", () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres.remove());

  const run = () =>
    startProcess(process.execPath, ["--import", "tsx", "--conditions=source", "src/main.ts"], {
      env: {
        ...process.env,
        DATABASE_PG_HOST: "127.0.0.1",
        DATABASE_PG_PORT: String(postgres.port),
        DATABASE_DBPASS: postgres.config.password,
        DATABASE_SERVICE_ROLES: "account_service,position_service",
        DATABASE_ROLE_PASSWORD_ACCOUNT_SERVICE: "a",
        DATABASE_ROLE_PASSWORD_POSITION_SERVICE: "p",
      },
    });

  it("exits 0 on the first and the second run, and 1 with the key named when a password is missing", async () => {
    for (const attempt of [1, 2]) {
      const job = run();
      expect(await job.exited, `run ${attempt}: ${job.output()}`).to.equal(0);
    }
    expect((await counts(postgres.config)).trades).to.equal(4);
    const broken = startProcess(process.execPath, ["--import", "tsx", "--conditions=source", "src/main.ts"], {
      env: { ...process.env, DATABASE_SERVICE_ROLES: "trade_processor" },
    });
    expect(await broken.exited).to.equal(1);
    expect(broken.output()).to.contain("DATABASE_ROLE_PASSWORD_TRADE_PROCESSOR");
  });
});
