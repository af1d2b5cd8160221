import { expect } from "chai";
import { Service } from "@traderx/service-lib";
import { serverErrorsFor } from "@traderx/service-lib/testing";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { buildPeopleService } from "@traderx/people-service/app";
import { buildAccountService } from "../src/app.js";

describe("account-service", () => {
  let database: TraderxTestDatabase;
  let people: Service;
  let accounts: Service;
  let base: string;

  before(async () => {
    database = await startTraderxDatabase();
    people = new Service("people-service", { LOG_LEVEL: "silent" });
    const peoplePort = await people.listen(await buildPeopleService(people), 0, "127.0.0.1");
    accounts = new Service("account-service", { LOG_LEVEL: "silent" });
    const app = await buildAccountService(accounts, {
      port: 0,
      database: database.asRole("account_service"),
      peopleServiceUrl: `http://127.0.0.1:${peoplePort}`,
    });
    base = `http://127.0.0.1:${await accounts.listen(app, 0, "127.0.0.1")}`;
  });
  after(async () => {
    await accounts.stop();
    await people.stop();
    await database.remove();
  });

  const send = (method: string, path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method,
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });

  it("lists the seeded accounts by id and finds one", async () => {
    const list = (await (await fetch(`${base}/account/`)).json()) as { id: number }[];
    expect(list.map((account) => account.id)).to.deep.equal([
      10031, 11413, 22214, 42422, 44044, 52355, 62654,
    ]);
    expect(await (await fetch(`${base}/account/22214`)).json()).to.deep.equal({
      id: 22214,
      displayName: "Test Account 20",
    });
    expect((await fetch(`${base}/account`)).status).to.equal(200);
  });

  it("answers an unknown account with a 404 text and a non-numeric id with a 400 JSON error", async () => {
    const missing = await fetch(`${base}/account/99999999`);
    expect(missing.status).to.equal(404);
    expect(await missing.text()).to.equal("Account with id 99999999 not found");
    const bad = await fetch(`${base}/account/abc`);
    expect(bad.status).to.equal(400);
    expect(await bad.json()).to.have.property("error");
  });

  it("creates accounts from accounts_seq, renames existing ones and inserts unknown positive ids", async () => {
    const created = (await (await send("POST", "/account/", { displayName: "New Fund" })).json()) as {
      id: number;
    };
    expect(created.id).to.be.at.least(65000);
    const second = (await (await send("PUT", "/account", { id: 0, displayName: "Other Fund" })).json()) as {
      id: number;
    };
    expect(second.id).to.equal(created.id + 1);
    expect(
      await (await send("PUT", "/account/", { id: created.id, displayName: "Renamed" })).json(),
    ).to.deep.equal({
      id: created.id,
      displayName: "Renamed",
    });
    expect(await (await send("POST", "/account/", { id: 777, displayName: "Chosen" })).json()).to.deep.equal({
      id: 777,
      displayName: "Chosen",
    });
    expect((await send("POST", "/account/", { displayName: "x".repeat(51) })).status).to.equal(400);
  });

  it("lists account users and returns the first username of an account", async () => {
    const users = (await (await fetch(`${base}/accountuser/`)).json()) as unknown[];
    expect(users).to.have.length(18);
    expect(users[0]).to.deep.equal({ accountId: 10031, username: "user01" });
    expect(await (await fetch(`${base}/accountuser/44044`)).json()).to.deep.equal({
      accountId: 44044,
      username: "user01",
    });
    const none = await fetch(`${base}/accountuser/11413`);
    expect(none.status).to.equal(404);
    expect(await none.text()).to.equal("AccountUser with id 11413 not found");
  });

  it("adds a user after checking people-service and the account; PUT skips the people check", async () => {
    expect(
      await (await send("POST", "/accountuser/", { accountId: 11413, username: "user02" })).json(),
    ).to.deep.equal({
      accountId: 11413,
      username: "user02",
    });
    expect((await send("POST", "/accountuser/", { accountId: 11413, username: "user02" })).status).to.equal(
      200,
    );
    const unknownPerson = await send("POST", "/accountuser/", {
      accountId: 22214,
      username: "DOES_NOT_EXIST",
    });
    expect(unknownPerson.status).to.equal(404);
    expect(await unknownPerson.text()).to.equal("DOES_NOT_EXIST not found in People service.");
    const unknownAccount = await send("POST", "/accountuser/", { accountId: 5, username: "user02" });
    expect(await unknownAccount.text()).to.equal("Account with id 5 not found");
    expect((await send("PUT", "/accountuser/", { accountId: 11413, username: "ghost" })).status).to.equal(
      200,
    );
    expect((await send("PUT", "/accountuser/", { accountId: 5, username: "ghost" })).status).to.equal(404);
  });

  it("serves the actuator endpoints, the OpenAPI document and a redirect to it", async () => {
    expect(await (await fetch(`${base}/actuator/health`)).json()).to.include({ status: "UP" });
    expect((await fetch(`${base}/actuator/health/readiness`)).status).to.equal(200);
    expect(await (await fetch(`${base}/actuator/prometheus`)).text()).to.contain(
      "http_server_requests_seconds_count",
    );
    const root = await fetch(`${base}/`, {
      redirect: "manual",
      headers: { "x-forwarded-prefix": "/account-service" },
    });
    expect(root.status).to.equal(302);
    expect(root.headers.get("location")).to.equal("/account-service/v3/api-docs");
    const document = (await (await fetch(`${base}/v3/api-docs`)).json()) as { paths: object };
    expect(document.paths).to.include.keys(
      "/account/",
      "/account/{id}",
      "/accountuser/",
      "/accountuser/{id}",
    );
  });

  it("answers generated bad input without a 5xx", async () => {
    const failures = await serverErrorsFor(base, [
      { method: "GET", path: "/account/{id}" },
      { method: "GET", path: "/accountuser/{id}" },
      { method: "POST", path: "/account/", body: { id: 1, displayName: "x" } },
      { method: "PUT", path: "/account/", body: { id: 1, displayName: "x" } },
      { method: "POST", path: "/accountuser/", body: { accountId: 22214, username: "user01" } },
      { method: "PUT", path: "/accountuser/", body: { accountId: 22214, username: "user01" } },
    ]);
    expect(failures).to.deep.equal([]);
    expect((await fetch(`${base}/account/22214`)).status).to.equal(200);
  });
});
