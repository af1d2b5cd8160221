import { expect } from "chai";
import { PriceModel, seededRandom, VOLATILITY_PROFILES } from "../src/price-model.js";
import { PRICE_SNAPSHOT } from "../src/snapshot.js";

const TICKERS = Object.keys(PRICE_SNAPSHOT);
const NOW = new Date("2026-01-02T09:30:00.123Z");
const cadence = { minMs: 750, maxMs: 1500, ratio: 0.25 };

function model(seed: number, tickers: readonly string[] = TICKERS): PriceModel {
  return new PriceModel({
    tickers,
    cadence,
    random: seededRandom(seed),
    fallbackRandom: seededRandom(seed + 1),
  });
}

describe("PriceModel", () => {
  it("bootstraps the 20 tickers from the snapshot, price = close, in order", () => {
    const quotes = model(1).quotes(NOW);
    expect(quotes.map((q) => q.ticker)).to.deep.equal(TICKERS);
    expect(quotes.find((q) => q.ticker === "IBM")).to.deep.equal({
      ticker: "IBM",
      price: 187.4,
      openPrice: 186,
      closePrice: 187.4,
      asOf: "2026-01-02T09:30:00.123Z",
      source: "snapshot",
    });
  });

  it("gives 20% of tickers ±4%, 20% strict and the rest ±2%, with bands around open and close", () => {
    const prices = model(7);
    expect(prices.bandCounts()).to.deep.equal({ extended_4pct: 4, extended_2pct: 12, strict: 4 });
    const c = prices.bandOf("C")!;
    const pct = VOLATILITY_PROFILES[c.profile];
    expect(c.low).to.equal(Math.round(58.6 * (1 - pct) * 1000) / 1000);
    expect(c.high).to.equal(Math.round(59.2 * (1 + pct) * 1000) / 1000);
  });

  it("ticks ⌈N × ratio⌉ distinct tickers per cycle within their bands, by at most 0.5%, then pauses 750–1500 ms", () => {
    const prices = model(42);
    const last = new Map(prices.quotes(NOW).map((q) => [q.ticker, q.price]));
    for (let cycle = 0; cycle < 200; cycle++) {
      const { ticks, sleepMs } = prices.nextCycle(NOW);
      expect(new Set(ticks.map((t) => t.ticker)).size).to.equal(5);
      expect(sleepMs).to.be.within(750, 1500);
      for (const tick of ticks) {
        const band = prices.bandOf(tick.ticker)!;
        expect(tick.price).to.be.within(band.low, band.high);
        expect(Math.round(tick.price * 1000)).to.equal(tick.price * 1000);
        expect(Math.abs(tick.price - last.get(tick.ticker)!)).to.be.at.most(
          last.get(tick.ticker)! * 0.005 + 0.0011,
        );
        last.set(tick.ticker, tick.price);
      }
    }
  });

  it("repeats exactly for the same seed and differs for another", () => {
    const run = (seed: number) => {
      const prices = model(seed);
      return Array.from({ length: 20 }, () => prices.nextCycle(NOW));
    };
    expect(run(5)).to.deep.equal(run(5));
    expect(run(5)).to.not.deep.equal(run(6));
  });

  it("creates a fallback quote for an unknown ticker and adds it to the universe", () => {
    const prices = model(3);
    const quote = prices.quote("NEWCO", NOW);
    expect(quote.source).to.equal("fallback");
    expect(quote.openPrice).to.be.within(100, 150);
    expect(prices.size).to.equal(21);
    expect(prices.quote("NEWCO", NOW)).to.deep.equal(quote);
    expect(prices.nextCycle(NOW).ticks).to.have.length(Math.ceil(21 * 0.25));
  });

  it("bootstraps tickers missing from the snapshot with a fallback quote", () => {
    const quotes = model(4, ["IBM", "XYZ"]).quotes(NOW);
    expect(quotes.map((q) => q.source)).to.deep.equal(["snapshot", "fallback"]);
  });
});
