/** position-service (contract 1.5): trades and positions per account, read-only. */
import {
  databaseConfig,
  envPort,
  Int32,
  isoOffset,
  Type,
  type DatabaseConfig,
  type Env,
  type HttpService,
  type Service,
} from "@traderx/service-lib";

export interface PositionServiceConfig {
  port: number;
  database: DatabaseConfig;
}

export function positionServiceConfig(env: Env): PositionServiceConfig {
  return { port: envPort(env, "POSITION_SERVICE_PORT", 18090), database: databaseConfig(env) };
}

const timestamp = (date: Date | null) => (date ? isoOffset(date) : null);
const decimal = (value: string | null) => (value === null ? null : Number(value));

const Timestamp = Type.Union([Type.String(), Type.Null()]);
const TradeSchema = Type.Object({
  id: Type.String(),
  accountId: Type.Integer(),
  security: Type.String(),
  side: Type.String(),
  state: Type.String(),
  quantity: Type.Integer(),
  price: Type.Union([Type.Number(), Type.Null()]),
  updated: Timestamp,
  created: Timestamp,
});
const PositionSchema = Type.Object({
  accountId: Type.Integer(),
  security: Type.String(),
  quantity: Type.Integer(),
  averageCostBasis: Type.Union([Type.Number(), Type.Null()]),
  updated: Timestamp,
});
const AccountParams = Type.Object({ accountId: Int32 });

interface TradeRow {
  id: string;
  accountid: number;
  security: string;
  side: string;
  state: string;
  quantity: number;
  price: string | null;
  updated: Date | null;
  created: Date | null;
}
interface PositionRow {
  accountid: number;
  security: string;
  quantity: number;
  averagecostbasis: string | null;
  updated: Date | null;
}

const toTrade = (row: TradeRow) => ({
  id: row.id,
  accountId: row.accountid,
  security: row.security,
  side: row.side,
  state: row.state,
  quantity: row.quantity,
  price: decimal(row.price),
  updated: timestamp(row.updated),
  created: timestamp(row.created),
});
const toPosition = (row: PositionRow) => ({
  accountId: row.accountid,
  security: row.security,
  quantity: row.quantity,
  averageCostBasis: decimal(row.averagecostbasis),
  updated: timestamp(row.updated),
});

const TRADE_COLUMNS = "id, accountid, security, side, state, quantity, price, updated, created";
const POSITION_COLUMNS = "accountid, security, quantity, averagecostbasis, updated";

export async function buildPositionService(
  service: Service,
  config: PositionServiceConfig,
): Promise<HttpService> {
  const db = service.database(config.database);
  const app = await service.httpService({
    title: "TraderX position service",
    openApiPaths: ["/v3/api-docs"],
    redirectRootToOpenApi: true,
  });
  const trades = { schema: { response: { 200: Type.Array(TradeSchema) } } };
  const positions = { schema: { response: { 200: Type.Array(PositionSchema) } } };

  app.get("/trades/", trades, async () =>
    (await db.query<TradeRow>(`SELECT ${TRADE_COLUMNS} FROM trades ORDER BY updated DESC, id`)).rows.map(
      toTrade,
    ),
  );
  app.get("/trades/:accountId", { schema: { ...trades.schema, params: AccountParams } }, async (request) =>
    (
      await db.query<TradeRow>(
        `SELECT ${TRADE_COLUMNS} FROM trades WHERE accountid = $1 ORDER BY updated DESC, id`,
        [request.params.accountId],
      )
    ).rows.map(toTrade),
  );
  app.get("/positions/", positions, async () =>
    (
      await db.query<PositionRow>(`SELECT ${POSITION_COLUMNS} FROM positions ORDER BY accountid, security`)
    ).rows.map(toPosition),
  );
  app.get(
    "/positions/:accountId",
    { schema: { ...positions.schema, params: AccountParams } },
    async (request) =>
      (
        await db.query<PositionRow>(
          `SELECT ${POSITION_COLUMNS} FROM positions WHERE accountid = $1 ORDER BY security`,
          [request.params.accountId],
        )
      ).rows.map(toPosition),
  );

  // Contract 1.5: ready means the positions table has data; both answer 200 with a JSON boolean.
  app.get("/health/ready", { schema: { response: { 200: Type.Boolean() } } }, async () => {
    const rows = await db.query("SELECT 1 FROM positions LIMIT 1").catch(() => undefined);
    return (rows?.rowCount ?? 0) > 0;
  });
  app.get("/health/alive", { schema: { response: { 200: Type.Boolean() } } }, async () => true);
  return app;
}
