import { expect } from "chai";
import pg from "pg";
import { Service } from "@traderx/service-lib";
import { serverErrorsFor } from "@traderx/service-lib/testing";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { buildPositionService } from "../src/app.js";

describe("position-service", () => {
  let database: TraderxTestDatabase;
  let service: Service;
  let base: string;

  before(async () => {
    database = await startTraderxDatabase();
    service = new Service("position-service", {
      LOG_LEVEL: "silent",
      CORS_ALLOWED_ORIGINS: "http://localhost:8080",
    });
    const app = await buildPositionService(service, {
      port: 0,
      database: database.asRole("position_service"),
    });
    base = `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
  });
  after(async () => {
    await service.stop();
    await database.remove();
  });

  const json = async (path: string) => (await fetch(`${base}${path}`)).json();

  it("lists an account's trades newest first with ISO-offset timestamps", async () => {
    const owner = new pg.Client(database.postgres.config);
    await owner.connect();
    await owner.query(
      "UPDATE trades SET updated = now() + interval '1 minute' WHERE id = 'TRADE-22214-GGHHII'",
    );
    await owner.end();
    const trades = (await json("/trades/22214")) as {
      id: string;
      price: number;
      updated: string;
      state: string;
    }[];
    expect(trades.map((trade) => trade.id)[0]).to.equal("TRADE-22214-GGHHII");
    expect(trades).to.have.length(3);
    expect(trades[0].updated).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    const ibm = trades.find((trade) => trade.id === "TRADE-22214-AABBCC")!;
    expect(ibm).to.include({
      accountId: 22214,
      security: "IBM",
      side: "Sell",
      state: "Settled",
      quantity: 100,
      price: 136.25,
    });
    expect(await json("/trades/")).to.have.length(4);
    expect(await json("/trades/42422")).to.deep.equal([]);
  });

  it("lists positions by account then security", async () => {
    const all = (await json("/positions/")) as { accountId: number; security: string }[];
    expect(all.map((position) => `${position.accountId}:${position.security}`)).to.deep.equal([
      "22214:C",
      "22214:IBM",
      "22214:MS",
      "52355:BAC",
    ]);
    const ibm = ((await json("/positions/22214")) as { security: string }[]).find(
      (position) => position.security === "IBM",
    );
    expect(ibm).to.include({ accountId: 22214, quantity: -100, averageCostBasis: 136.25 });
    expect(await json("/positions")).to.have.length(4);
  });

  it("answers the health paths with JSON booleans", async () => {
    expect(await (await fetch(`${base}/health/ready`)).text()).to.equal("true");
    expect(await (await fetch(`${base}/health/alive`)).text()).to.equal("true");
    expect((await fetch(`${base}/actuator/health/readiness`)).status).to.equal(200);
  });

  it("rejects a non-numeric account id with a 400 JSON error and serves CORS for the edge origin", async () => {
    const bad = await fetch(`${base}/positions/abc`);
    expect(bad.status).to.equal(400);
    expect(await bad.json()).to.have.property("error");
    const cors = await fetch(`${base}/positions/22214`, { headers: { origin: "http://localhost:8080" } });
    expect(cors.headers.get("access-control-allow-origin")).to.equal("http://localhost:8080");
  });

  it("answers generated bad input without a 5xx", async () => {
    const failures = await serverErrorsFor(base, [
      { method: "GET", path: "/trades/{accountId}" },
      { method: "GET", path: "/positions/{accountId}" },
    ]);
    expect(failures).to.deep.equal([]);
    expect((await fetch(`${base}/health/alive`)).status).to.equal(200);
  });
});
