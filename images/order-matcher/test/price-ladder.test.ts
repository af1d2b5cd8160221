import { expect } from "chai";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { Order, Side, newOrder } from "../src/orders.js";
import { KEYS_PER_ORDER, PriceLadder, WINDOW_CAPACITY } from "../src/price-ladder.js";

let sequence = 0;
function orderAt(side: Side, limitKey: number): Order {
  const request = { accountId: 22214, security: "IBM", side, quantity: 100, limitPrice: limitKey / 1000 };
  return newOrder(`test-${++sequence}`, request, 0);
}

function inTheMoney(ladder: PriceLadder, marketKey: number): Order[] {
  const visited: Order[] = [];
  ladder.forEachInTheMoney(marketKey, (order) => visited.push(order));
  return visited;
}

const keysOf = (orders: Order[]): number[] => orders.map((o) => o.limitKey).sort((a, b) => a - b);

/** What a scan of every order held finds in the money. */
function expectedInTheMoney(side: Side, held: Iterable<Order>, marketKey: number): number[] {
  const matching = [...held].filter((o) =>
    side === "Buy" ? o.limitKey >= marketKey : o.limitKey <= marketKey,
  );
  return keysOf(matching);
}

/** Adds, removes and ticks at random keys from `draw`, checking every tick against a scan. */
function checkAgainstScan(side: Side, rng: RandomGenerator, draw: () => number, steps: number): void {
  const ladder = new PriceLadder(side);
  const held = new Set<Order>();
  for (let step = 0; step < steps; step++) {
    const action = uniformInt(rng, 0, 9);
    if (action < 5) {
      const order = orderAt(side, draw());
      ladder.add(order);
      held.add(order);
    } else if (action < 8 && held.size > 0) {
      const order = [...held][uniformInt(rng, 0, held.size - 1)];
      ladder.remove(order);
      held.delete(order);
    } else {
      const marketKey = draw();
      expect(keysOf(inTheMoney(ladder, marketKey)), `step ${step}, market ${marketKey}`).to.deep.equal(
        expectedInTheMoney(side, held, marketKey),
      );
    }
  }
  for (const order of held) ladder.remove(order);
  expect(inTheMoney(ladder, 0).length + inTheMoney(ladder, Number.MAX_SAFE_INTEGER).length).to.equal(0);
  // Emptied, the ladder lets go of its window: it counted every removal.
  expect(ladder.footprint).to.deep.equal({ windowKeys: 0, outlyingLevels: 0 });
}

describe("PriceLadder", () => {
  for (const side of ["Buy", "Sell"] as const) {
    it(`${side}: agrees with a scan when many orders share few prices`, () => {
      const rng = xoroshiro128plus(7);
      checkAgainstScan(side, rng, () => uniformInt(rng, 99_950, 100_050), 4000);
    });

    it(`${side}: agrees with a scan when limits spread wider than the window may grow`, () => {
      const rng = xoroshiro128plus(11);
      checkAgainstScan(side, rng, () => uniformInt(rng, 1, 3 * WINDOW_CAPACITY), 4000);
    });

    it(`${side}: agrees with a scan while the window grows down and up and moves outliers in`, () => {
      const rng = xoroshiro128plus(13);
      let low = 500_000;
      let high = 500_000;
      // Each draw widens the range at one end, so the window keeps growing in both directions.
      const draw = () =>
        uniformInt(rng, 0, 1) === 0 ? (low -= uniformInt(rng, 0, 300)) : (high += uniformInt(rng, 0, 300));
      checkAgainstScan(side, rng, draw, 4000);
    });
  }

  it("finds orders on both sides of every bitmap word and summary boundary", () => {
    const base = 2048 * 1000;
    const edges = [0, 1, 30, 31, 32, 33, 1022, 1023, 1024, 1025, 2047].map((offset) => base + offset);
    for (const side of ["Buy", "Sell"] as const) {
      const ladder = new PriceLadder(side);
      const held = edges.map((key) => orderAt(side, key));
      held.forEach((order) => ladder.add(order));
      for (const marketKey of [base - 1, ...edges, base + 2048]) {
        expect(keysOf(inTheMoney(ladder, marketKey)), `${side} at ${marketKey}`).to.deep.equal(
          expectedInTheMoney(side, held, marketKey),
        );
      }
    }
  });

  it("keeps the window within KEYS_PER_ORDER keys per order, however far apart the limits are", () => {
    const ladder = new PriceLadder("Buy");
    const orders = Array.from({ length: 200 }, (_, i) => orderAt("Buy", 1000 + i * 1_000_000));
    orders.forEach((order) => ladder.add(order));
    expect(ladder.footprint.windowKeys).to.be.at.most(KEYS_PER_ORDER * orders.length);
    expect(ladder.footprint.outlyingLevels).to.equal(199);
    expect(inTheMoney(ladder, 0)).to.have.length(200);
    orders.forEach((order) => ladder.remove(order));
    expect(ladder.footprint).to.deep.equal({ windowKeys: 0, outlyingLevels: 0 });
  });

  it("covers a dense book with the window alone", () => {
    const ladder = new PriceLadder("Sell");
    for (let i = 0; i < 5000; i++) ladder.add(orderAt("Sell", 100_000 + ((i * 7919) % 20_000)));
    expect(ladder.footprint.outlyingLevels).to.be.below(50);
    expect(ladder.footprint.windowKeys).to.be.at.least(20_000);
  });
});
