import { expect } from "chai";
import { context, trace } from "@opentelemetry/api";
import { contextFromCarrier, envelope, handleInTrace, Service, type MessageBus } from "../src/index.js";
import { startNats, startPostgres, waitFor, type TestNats, type TestPostgres } from "../src/testing/index.js";

describe("database and message bus connections", () => {
  let postgres: TestPostgres;
  let nats: TestNats;
  let service: Service;

  before(async () => {
    [postgres, nats] = await Promise.all([startPostgres(), startNats()]);
    service = new Service("connections-test", { LOG_LEVEL: "silent" });
  });
  after(async () => {
    await service.stop();
    await Promise.all([postgres.remove(), nats.remove()]);
  });

  it("commits or rolls back a transaction as a whole and reads timestamps as UTC", async () => {
    const database = service.database(postgres.config);
    await database.query("CREATE TABLE notes (id INTEGER PRIMARY KEY, at TIMESTAMP)");
    const at = new Date("2026-07-22T16:45:53.270Z");
    await database.transaction((client) => client.query("INSERT INTO notes VALUES (1, $1)", [at]));
    const failed = database.transaction(async (client) => {
      await client.query("INSERT INTO notes VALUES (2, now())");
      await client.query("INSERT INTO notes VALUES (1, now())");
    });
    await failed.then(
      () => expect.fail("duplicate key should fail"),
      (error: Error) => expect(error.message).to.contain("duplicate key"),
    );
    const rows = (await database.query<{ id: number; at: Date }>("SELECT id, at FROM notes")).rows;
    expect(rows).to.deep.equal([{ id: 1, at }]);
    expect(await database.isReady()).to.equal(true);
  });

  it("turns unready while the database is down and serves again after it restarts", async function () {
    this.timeout(30_000);
    const database = service.database(postgres.config);
    expect((await database.query("SELECT 1 AS one")).rows).to.deep.equal([{ one: 1 }]);
    await postgres.stop();
    expect(await database.isReady()).to.equal(false);
    await postgres.restart();
    await waitFor("database ready again", () => database.isReady(), 10_000);
    expect((await database.query("SELECT count(*)::int AS n FROM notes")).rows).to.deep.equal([{ n: 1 }]);
  });

  it("fails a transaction whose server goes away, without ending the process", async function () {
    this.timeout(30_000);
    const database = service.database(postgres.config);
    const interrupted = database.transaction(async (client) => {
      await client.query("INSERT INTO notes VALUES (3, now())");
      await postgres.stop();
      await client.query("INSERT INTO notes VALUES (4, now())");
    });
    await interrupted.then(
      () => expect.fail("a transaction on a stopped server should fail"),
      (error: Error) => expect(error.message).to.match(/terminat|connection|closed/i),
    );
    await postgres.restart();
    await waitFor("database ready again", () => database.isReady(), 10_000);
    expect((await database.query("SELECT count(*)::int AS n FROM notes")).rows).to.deep.equal([{ n: 1 }]);
  });

  it("carries trace and correlation ids on NATS headers and reports connectivity", async () => {
    const publisher: MessageBus = service.bus({
      address: nats.url,
      clientId: "lib-publisher",
      role: "publisher",
    });
    const subscriber: MessageBus = service.bus({
      address: nats.url,
      clientId: "lib-subscriber",
      role: "subscriber",
    });
    const subscription = (await subscriber.connection()).subscribe("/lib/test", { max: 1 });
    await (await publisher.connection()).flush();
    expect(publisher.health()).to.include({
      status: "connected",
      clientId: "lib-publisher",
      address: nats.url,
    });

    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const parent = contextFromCarrier({
      get: (name) =>
        ({ traceparent: `00-${traceId}-b7ad6b7169203331-01`, "x-correlation-id": "corr-nats" })[name],
      set: () => undefined,
    });
    context.with(parent, () =>
      publisher.publishJson("/lib/test", envelope("/lib/test", { n: 1 }, { from: "lib", type: "Note" })),
    );
    for await (const message of subscription) {
      const received = await handleInTrace(message.subject, message.headers, async () => ({
        traceId: trace.getActiveSpan()?.spanContext().traceId,
        body: message.json<{ payload: unknown; type: string }>(),
      }));
      expect(received.traceId).to.equal(traceId);
      expect(message.headers?.get("x-correlation-id")).to.equal("corr-nats");
      expect(received.body).to.include({ type: "Note" });
      expect(received.body.payload).to.deep.equal({ n: 1 });
    }
    const metrics = await service.metrics.registry.metrics();
    expect(metrics).to.contain('traderx_messagebus_connected{component="connections-test",role="publisher"');
  });

  it("reconnects after the broker restarts", async function () {
    this.timeout(30_000);
    const bus = service.bus({ address: nats.url, clientId: "lib-reconnect", role: "publisher" });
    await bus.connection();
    await nats.stop();
    await waitFor("disconnect", async () => bus.status() !== "connected", 10_000);
    expect(() => bus.publishJson("/lib/x", {})).to.throw(/not connected/);
    await nats.restart();
    await waitFor("reconnect", async () => bus.status() === "connected", 20_000);
  });
});
