import { expect } from "chai";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { FillIntent, OrderBook } from "../src/order-book.js";
import {
  Order,
  OrderRequest,
  fillQuantity,
  formatOrderId,
  isInTheMoney,
  isOpenStatus,
  newOrder,
  orderIdSequence,
  priceKey,
  roundPrice,
} from "../src/orders.js";

const T0 = Date.UTC(2026, 0, 2, 9, 30);

function request(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return { accountId: 22214, security: "IBM", side: "Buy", quantity: 100, limitPrice: 187.25, ...overrides };
}

/** Settles every intent with the same outcome and hands the orders back to the ticks. */
function complete(
  book: OrderBook,
  intents: FillIntent[],
  succeeded: (intent: FillIntent) => boolean,
  now: number,
): void {
  for (const intent of intents) {
    book.settle(intent, succeeded(intent), now);
    book.release(intent.order);
  }
}

function idsOf(intents: FillIntent[]): string[] {
  return intents.map((i) => i.order.orderId).sort();
}

describe("order model", () => {
  it("sizes fills by the threshold rule: 5000 → 2500 → 1250 → 625 → 0", () => {
    const remaining = [5000];
    while (remaining[remaining.length - 1] > 0) {
      const left = remaining[remaining.length - 1];
      remaining.push(left - fillQuantity(left, 1000));
    }
    expect(remaining).to.deep.equal([5000, 2500, 1250, 625, 0]);
    expect(fillQuantity(999, 1000)).to.equal(999);
    expect(fillQuantity(1001, 1000)).to.equal(501);
  });

  it("rounds prices to three decimals half-up", () => {
    expect(roundPrice(1.0005)).to.equal(1.001);
    expect(roundPrice(187.2504)).to.equal(187.25);
    expect(priceKey(412)).to.equal(412000);
  });

  it("reads the sequence back from our order ids, and from no other spelling", () => {
    for (const sequence of [0, 7, 42, 9999, 10_000, 123_456_789, Number.MAX_SAFE_INTEGER]) {
      expect(orderIdSequence(formatOrderId(sequence))).to.equal(sequence);
    }
    const others = [
      "ord-013-042",
      "ord-013-00042",
      "ord-013-1e3",
      "ord-013- 042",
      "ord-013-",
      "ord-013-00-1",
    ];
    others.push("ORD-013-0042", "ord-014-0042", "ord-013-9007199254740993", "LEGACY-7");
    for (const id of others) expect(orderIdSequence(id), id).to.equal(null);
  });

  it("puts Buy in the money at or below the limit and Sell at or above it", () => {
    expect(isInTheMoney("Buy", 100_000, 100_000)).to.equal(true);
    expect(isInTheMoney("Buy", 100_000, 100_001)).to.equal(false);
    expect(isInTheMoney("Sell", 100_000, 100_000)).to.equal(true);
    expect(isInTheMoney("Sell", 100_000, 99_999)).to.equal(false);
  });
});

describe("OrderBook", () => {
  let book: OrderBook;
  beforeEach(() => {
    book = new OrderBook({ fullFillThreshold: 1000 });
  });

  it("creates NEW orders with the next id after the highest one storage issued", () => {
    book.advanceSequence(7);
    const order = book.create(request({ limitPrice: 1.0004 }), T0);
    expect(order.orderId).to.equal("ord-013-0008");
    expect(order).to.include({ status: "NEW", remainingQuantity: 100, limitPrice: 1, createdAt: T0 });
  });

  it("fills only the orders of the ticked security that are in the money", () => {
    const buyHigh = book.create(request({ limitPrice: 190 }), T0);
    const buyAtMarket = book.create(request({ limitPrice: 187 }), T0);
    book.create(request({ limitPrice: 186.999 }), T0);
    const sellLow = book.create(request({ side: "Sell", limitPrice: 180 }), T0);
    book.create(request({ side: "Sell", limitPrice: 187.001 }), T0);
    book.create(request({ security: "MSFT", limitPrice: 1000 }), T0);

    const intents = book.onPrice("IBM", 187);
    expect(idsOf(intents)).to.deep.equal([buyHigh, buyAtMarket, sellLow].map((o) => o.orderId).sort());
    expect(intents.every((i) => i.price === 187 && i.kind === "auto")).to.equal(true);
  });

  it("steps a large order 5000 → 2500 → 1250 → 625 → 0 over successive pricing ticks", () => {
    const order = book.create(request({ quantity: 5000, limitPrice: 99999 }), T0);
    const seen: number[] = [];
    for (let tick = 1; tick <= 5; tick++) {
      complete(book, book.onPrice("IBM", 187 + tick / 1000), () => true, T0 + tick);
      seen.push(order.remainingQuantity);
    }
    expect(seen).to.deep.equal([2500, 1250, 625, 0, 0]);
    expect(order).to.include({ status: "FILLED", lastFillQuantity: 625, lastExecutionPrice: 187.004 });
    expect(book.getCounts()).to.deep.include({ open: 0, unfilled: 0 });
  });

  it("skips orders in flight until they are released", () => {
    book.create(request({ quantity: 5000, limitPrice: 200 }), T0);
    const [first] = book.onPrice("IBM", 187);
    expect(book.onPrice("IBM", 186)).to.have.length(0);
    book.settle(first, true, T0 + 1);
    expect(book.onScheduledTick()).to.have.length(0);
    book.release(first.order);
    expect(book.onScheduledTick()).to.have.length(1);
  });

  it("re-evaluates on the scheduled tick only the orders a fill left open", () => {
    const partial = book.create(request({ quantity: 5000, limitPrice: 200 }), T0);
    const failed = book.create(request({ quantity: 10, limitPrice: 200 }), T0);
    book.create(request({ quantity: 10, limitPrice: 150 }), T0);
    complete(book, book.onPrice("IBM", 187), (intent) => intent.order === partial, T0 + 5);

    expect(failed).to.include({ status: "NEW", remainingQuantity: 10, updatedAt: T0 + 5 });
    expect(idsOf(book.onScheduledTick())).to.deep.equal([partial.orderId, failed.orderId].sort());
  });

  it("drops an order from the scheduled tick once the price has moved away from it", () => {
    const order = book.create(request({ quantity: 5000, limitPrice: 187.5 }), T0);
    complete(book, book.onPrice("IBM", 187), () => true, T0 + 1);
    expect(book.onPrice("IBM", 188)).to.have.length(0);
    expect(book.onScheduledTick()).to.have.length(0);
    expect(order.remainingQuantity).to.equal(2500);
  });

  it("fills an order created in the money on the next scheduled tick, not at creation", () => {
    book.onPrice("IBM", 187);
    const order = book.create(request({ limitPrice: 188 }), T0);
    expect(order.status).to.equal("NEW");
    const intents = book.onScheduledTick();
    expect(idsOf(intents)).to.deep.equal([order.orderId]);
  });

  it("fills nothing after a restore until a pricing tick arrives", () => {
    const order = book.create(request({ limitPrice: 500 }), T0);
    const restarted = new OrderBook({ fullFillThreshold: 1000 });
    restarted.add({ ...order });
    expect(restarted.onScheduledTick()).to.have.length(0);
    expect(restarted.marketPrice("IBM")).to.equal(null);
    expect(restarted.onPrice("IBM", 187)).to.have.length(1);
  });

  it("cancels open orders out of the index and leaves terminal ones unchanged", () => {
    const order = book.create(request({ limitPrice: 200 }), T0);
    expect(book.cancel(order, T0 + 1)).to.equal(true);
    expect(order).to.include({ status: "CANCELED", remainingQuantity: 0, updatedAt: T0 + 1 });
    expect(book.cancel(order, T0 + 2)).to.equal(false);
    expect(order.updatedAt).to.equal(T0 + 1);
    expect(book.onPrice("IBM", 187)).to.have.length(0);
    expect(book.get(order.orderId)).to.equal(undefined);
    expect(book.getCounts()).to.deep.equal({ open: 0, unfilled: 0, openBySide: { Buy: 0, Sell: 0 } });
  });

  it("force-fills the whole remainder at the market price, or the limit when none is known", () => {
    const unpriced = book.create(
      request({ security: "JPM", side: "Sell", quantity: 55, limitPrice: 191.875 }),
      T0,
    );
    const intent = book.beginForceFill(unpriced)!;
    expect(intent).to.include({ quantity: 55, price: 191.875, kind: "force" });
    complete(book, [intent], () => true, T0 + 1);
    expect(unpriced).to.include({ status: "FILLED", remainingQuantity: 0, lastFillQuantity: 55 });
    expect(book.beginForceFill(unpriced)).to.equal(null);

    book.onPrice("IBM", 150);
    const priced = book.create(request({ limitPrice: 100 }), T0);
    expect(book.beginForceFill(priced)!.price).to.equal(150);
  });

  it("leaves a force-filled order untouched when the trade fails", () => {
    const order = book.create(request({ quantity: 5000 }), T0);
    complete(book, [book.beginForceFill(order)!], () => false, T0 + 9);
    expect(order).to.include({ status: "NEW", remainingQuantity: 5000, updatedAt: T0 });
    expect(book.isInFlight(order)).to.equal(false);
  });

  it("counts open, unfilled and per-side orders", () => {
    book.create(request(), T0);
    book.create(request({ side: "Sell", limitPrice: 999 }), T0);
    book.add({ ...book.create(request(), T0), orderId: "ord-013-0100", status: "PARTIALLY_FILLED" });
    expect(book.getCounts()).to.deep.equal({ open: 4, unfilled: 4, openBySide: { Buy: 3, Sell: 1 } });
    expect(() => book.add({ ...book.create(request(), T0), status: "FILLED" })).to.throw(/not open/);
  });

  it("finds open orders by id across index chunks, and orders whose ids are in another format", () => {
    book.advanceSequence(1022);
    const created = [book.create(request(), T0), book.create(request(), T0), book.create(request(), T0)];
    expect(created.map((o) => o.orderId)).to.deep.equal(["ord-013-1023", "ord-013-1024", "ord-013-1025"]);
    const legacy = newOrder("LEGACY-7", request(), T0);
    book.add(legacy);
    for (const order of [...created, legacy]) expect(book.get(order.orderId)).to.equal(order);
    expect(book.get("ord-013-01024")).to.equal(undefined);
    book.cancel(created[1], T0);
    book.cancel(legacy, T0);
    expect(book.get("ord-013-1024")).to.equal(undefined);
    expect(book.get("LEGACY-7")).to.equal(undefined);
    expect([...book.open()]).to.have.members([created[0], created[2]]);
  });

  it("agrees with a scan of every open order over a random workload", () => {
    const rng = xoroshiro128plus(20260102);
    const securities = ["IBM", "MSFT", "C"];
    const created: Order[] = [];
    for (let step = 0; step < 3000; step++) {
      const action = uniformInt(rng, 0, 9);
      const security = securities[uniformInt(rng, 0, 2)];
      if (action < 5) {
        const side = uniformInt(rng, 0, 1) === 0 ? "Buy" : "Sell";
        const limitPrice = uniformInt(rng, 90_000, 110_000) / 1000;
        created.push(
          book.create(request({ security, side, limitPrice, quantity: uniformInt(rng, 1, 4000) }), T0),
        );
      } else if (action < 6 && created.length > 0) {
        book.cancel(created[uniformInt(rng, 0, created.length - 1)], T0 + step);
      } else {
        const price = uniformInt(rng, 90_000, 110_000) / 1000;
        const expected = created
          .filter((o) => o.security === security && isOpenStatus(o.status))
          .filter((o) => isInTheMoney(o.side, o.limitKey, priceKey(price)))
          .map((o) => o.orderId)
          .sort();
        const intents = book.onPrice(security, price);
        expect(idsOf(intents)).to.deep.equal(expected);
        complete(book, intents, () => uniformInt(rng, 0, 3) > 0, T0 + step);
      }
    }
    const open = created.filter((o) => isOpenStatus(o.status));
    expect([...book.open()].map((o) => o.orderId).sort()).to.deep.equal(open.map((o) => o.orderId).sort());
    expect(book.getCounts().open).to.equal(open.length);
    expect(book.getCounts().openBySide.Sell).to.equal(open.filter((o) => o.side === "Sell").length);
  });
});
