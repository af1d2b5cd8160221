import { expect } from "chai";
import { createLogger, Database } from "@traderx/service-lib";
import { startTraderxDatabase, type TraderxTestDatabase } from "@traderx/database-migrations/testing";
import { BOOKED_MESSAGE_RETENTION_MS, bookOrder, nextPosition, pruneBookedMessages } from "../src/booking.js";

describe("booking arithmetic", () => {
  const position = (quantity: number, averageCostBasis: bigint) => ({ quantity, averageCostBasis });

  it("opens, adds to, flattens and reverses positions with the signed-notional average", () => {
    expect(nextPosition(position(0, 0n), { side: "Buy", quantity: 100, price: 140_000n })).to.deep.equal(
      position(100, 140_000n),
    );
    // MS 1000 @ 95.125 + Buy 500 @ 100 → (95125 + 50000) / 1500 = 96.750
    expect(
      nextPosition(position(1000, 95_125n), { side: "Buy", quantity: 500, price: 100_000n }),
    ).to.deep.equal(position(1500, 96_750n));
    expect(
      nextPosition(position(-100, 136_250n), { side: "Buy", quantity: 100, price: 140_000n }),
    ).to.deep.equal(position(0, 0n));
    // A reduction moves the average too (contract 4.1 ⚠): (10×100 − 4×130) / 6 = 80.000
    expect(
      nextPosition(position(10, 100_000n), { side: "Sell", quantity: 4, price: 130_000n }),
    ).to.deep.equal(position(6, 80_000n));
    // 1 @ 1 + Buy 2 @ 1.001 → 3.002 / 3 = 1.000666… → 1.001 (HALF_UP)
    expect(nextPosition(position(1, 1_000n), { side: "Buy", quantity: 2, price: 1_001n })).to.deep.equal(
      position(3, 1_001n),
    );
  });
});

describe("booking in the database", () => {
  let database: TraderxTestDatabase;
  let db: Database;

  before(async () => {
    database = await startTraderxDatabase();
    db = new Database(
      database.asRole("trade_processor"),
      createLogger("booking-test", { LOG_LEVEL: "silent" }),
    );
  });
  after(async () => {
    await db.close();
    await database.remove();
  });

  it("books a Settled trade and updates the seeded position in one go", async () => {
    const result = await bookOrder(
      db,
      { accountId: 22214, security: "MS", side: "Buy", quantity: 500, price: 100 },
      "m-1",
    );
    if (!result.booked) throw new Error("expected a booking");
    expect(result.trade).to.include({
      accountId: 22214,
      security: "MS",
      side: "Buy",
      state: "Settled",
      quantity: 500,
      price: 100,
    });
    expect(result.position).to.include({ quantity: 1500, averageCostBasis: 96.75 });
    const stored = await db.query(
      "SELECT quantity, averagecostbasis FROM positions WHERE accountid = 22214 AND security = 'MS'",
    );
    expect(stored.rows[0]).to.deep.equal({ quantity: 1500, averagecostbasis: "96.750" });
  });

  it("books a message id once, even when the same message is handled concurrently", async () => {
    const order = { accountId: 62654, security: "UBS", side: "Buy" as const, quantity: 7, price: 29.9 };
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => bookOrder(db, order, "m-twice")));
    expect(results.filter((result) => result.booked)).to.have.length(1);
    expect((await bookOrder(db, order, "m-twice")).booked).to.equal(false);
    const trades = await db.query("SELECT count(*)::int AS n FROM trades WHERE accountid = 62654");
    expect(trades.rows[0].n).to.equal(1);
    const held = await db.query(
      "SELECT quantity FROM positions WHERE accountid = 62654 AND security = 'UBS'",
    );
    expect(held.rows[0].quantity).to.equal(7);
  });

  it("forgets booked message ids only once the retention has passed", async () => {
    const order = { accountId: 44044, security: "IBM", side: "Sell" as const, quantity: 2, price: 150 };
    expect((await bookOrder(db, order, "m-old")).booked).to.equal(true);
    const booked = Date.now();
    expect(await pruneBookedMessages(db, new Date(booked + BOOKED_MESSAGE_RETENTION_MS - 60_000))).to.equal(
      0,
    );
    expect((await bookOrder(db, order, "m-old")).booked).to.equal(false);
    expect(
      await pruneBookedMessages(db, new Date(booked + BOOKED_MESSAGE_RETENTION_MS + 60_000)),
    ).to.be.at.least(1);
    const left = await db.query("SELECT count(*)::int AS n FROM booked_trade_messages");
    expect(left.rows[0].n).to.equal(0);
  });

  it("prices a missing price at 0 and rejects an unknown account without leaving anything behind", async () => {
    const free = await bookOrder(
      db,
      { accountId: 42422, security: "DB", side: "Sell", quantity: 3 },
      "m-free",
    );
    expect(free.booked && free.trade.price).to.equal(0);
    const failure = await bookOrder(
      db,
      { accountId: 1, security: "DB", side: "Buy", quantity: 1, price: 1 },
      "m-bad",
    ).then(
      () => undefined,
      (error: { code: string }) => error.code,
    );
    expect(failure).to.equal("23503");
    const leftovers = await db.query("SELECT count(*)::int AS n FROM positions WHERE accountid = 1");
    expect(leftovers.rows[0].n).to.equal(0);
  });
});
