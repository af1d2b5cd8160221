/** account-service (contract 1.4): accounts and the users mapped to them. */
import {
  callPeer,
  databaseConfig,
  envPort,
  Int32,
  peerUrl,
  Type,
  type Database,
  type DatabaseConfig,
  type Env,
  type HttpService,
  type Service,
} from "@traderx/service-lib";

export interface AccountServiceConfig {
  port: number;
  database: DatabaseConfig;
  peopleServiceUrl: string;
}

export function accountServiceConfig(env: Env): AccountServiceConfig {
  return {
    port: envPort(env, "ACCOUNT_SERVICE_PORT", 18088),
    database: databaseConfig(env),
    peopleServiceUrl: peerUrl(env, {
      urlKey: "PEOPLE_SERVICE_URL",
      hostKey: "PEOPLE_SERVICE_HOST",
      defaultHost: "people-service",
      port: 18089,
    }),
  };
}

const AccountId = Int32;
const AccountSchema = Type.Object({ id: AccountId, displayName: Type.Union([Type.String(), Type.Null()]) });
const AccountUserSchema = Type.Object({
  accountId: AccountId,
  username: Type.String({ minLength: 1, maxLength: 15 }),
});
const AccountBody = Type.Object({
  id: Type.Optional(Type.Union([AccountId, Type.Null()])),
  displayName: Type.String({ maxLength: 50 }),
});
const IdParams = Type.Object({ id: AccountId });
const ErrorSchema = Type.Object({ error: Type.String() });

interface AccountRow {
  id: number;
  displayname: string | null;
}
const toAccount = (row: AccountRow) => ({ id: row.id, displayName: row.displayname });
const toAccountUser = (row: { accountid: number; username: string }) => ({
  accountId: row.accountid,
  username: row.username,
});

async function accountExists(db: Database, id: number): Promise<boolean> {
  return ((await db.query("SELECT 1 FROM accounts WHERE id = $1", [id])).rowCount ?? 0) > 0;
}

export async function buildAccountService(
  service: Service,
  config: AccountServiceConfig,
): Promise<HttpService> {
  const db = service.database(config.database);
  const app = await service.httpService({
    title: "TraderX account service",
    openApiPaths: ["/v3/api-docs"],
    redirectRootToOpenApi: true,
  });

  app.get("/account/", { schema: { response: { 200: Type.Array(AccountSchema) } } }, async () =>
    (await db.query<AccountRow>("SELECT id, displayname FROM accounts ORDER BY id")).rows.map(toAccount),
  );
  app.get(
    "/account/:id",
    { schema: { params: IdParams, response: { 200: AccountSchema, 404: Type.String() } } },
    async (request, reply) => {
      const row = (
        await db.query<AccountRow>("SELECT id, displayname FROM accounts WHERE id = $1", [request.params.id])
      ).rows[0];
      if (row) return toAccount(row);
      return reply.code(404).type("text/plain").send(`Account with id ${request.params.id} not found`);
    },
  );

  // POST and PUT are the same upsert: no id (or id <= 0) takes the next id from accounts_seq.
  const saveAccount = async (request: { body: { id?: number | null; displayName: string } }) => {
    const { id, displayName } = request.body;
    const row =
      id === undefined || id === null || id <= 0
        ? (
            await db.query<AccountRow>(
              "INSERT INTO accounts (id, displayname) VALUES (nextval('accounts_seq'), $1) RETURNING id, displayname",
              [displayName],
            )
          ).rows[0]
        : (
            await db.query<AccountRow>(
              `INSERT INTO accounts (id, displayname) VALUES ($1, $2)
               ON CONFLICT (id) DO UPDATE SET displayname = EXCLUDED.displayname RETURNING id, displayname`,
              [id, displayName],
            )
          ).rows[0];
    return toAccount(row);
  };
  const saveSchema = { schema: { body: AccountBody, response: { 200: AccountSchema } } };
  app.post("/account/", saveSchema, saveAccount);
  app.put("/account/", saveSchema, saveAccount);

  app.get("/accountuser/", { schema: { response: { 200: Type.Array(AccountUserSchema) } } }, async () =>
    (
      await db.query<{ accountid: number; username: string }>(
        "SELECT accountid, username FROM accountusers ORDER BY accountid, username",
      )
    ).rows.map(toAccountUser),
  );
  app.get(
    "/accountuser/:id",
    { schema: { params: IdParams, response: { 200: AccountUserSchema, 404: Type.String() } } },
    async (request, reply) => {
      // One user, not a list: the alphabetically first username of the account (as the reference).
      const row = (
        await db.query<{ accountid: number; username: string }>(
          "SELECT accountid, username FROM accountusers WHERE accountid = $1 ORDER BY username LIMIT 1",
          [request.params.id],
        )
      ).rows[0];
      if (row) return toAccountUser(row);
      return reply.code(404).type("text/plain").send(`AccountUser with id ${request.params.id} not found`);
    },
  );

  const addUserSchema = {
    schema: {
      body: AccountUserSchema,
      response: { 200: AccountUserSchema, 404: Type.String(), 503: ErrorSchema },
    },
  };
  /** Maps the user to the account; returns the 404 text when the account does not exist. */
  const addAccountUser = async (body: {
    accountId: number;
    username: string;
  }): Promise<string | undefined> => {
    if (!(await accountExists(db, body.accountId))) return `Account with id ${body.accountId} not found`;
    await db.query("INSERT INTO accountusers (accountid, username) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      body.accountId,
      body.username,
    ]);
    return undefined;
  };
  app.post("/accountuser/", addUserSchema, async (request, reply) => {
    const person = await callPeer(
      `${config.peopleServiceUrl}/People/GetPerson?LogonId=${encodeURIComponent(request.body.username)}`,
    ).catch(() => undefined);
    if (person?.status === 404) {
      return reply.code(404).type("text/plain").send(`${request.body.username} not found in People service.`);
    }
    if (person?.status !== 200)
      return reply.code(503).send({ error: "people-service did not confirm the user; try again" });
    const missingAccount = await addAccountUser(request.body);
    return missingAccount ? reply.code(404).type("text/plain").send(missingAccount) : request.body;
  });
  // PUT skips the people-service check, as in the reference.
  app.put("/accountuser/", addUserSchema, async (request, reply) => {
    const missingAccount = await addAccountUser(request.body);
    return missingAccount ? reply.code(404).type("text/plain").send(missingAccount) : request.body;
  });
  return app;
}
