/**
 * The price model of contract 4.2: snapshot bootstrap, one volatility band per ticker for the process
 * lifetime, random-walk ticks clamped to the band, and the publishing cadence. All randomness comes from
 * injected sources, so a seeded run is fully predictable.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { PRICE_SNAPSHOT } from "./snapshot.js";

export type PriceSource = "snapshot" | "yfinance" | "fallback";

/** PriceTick JSON of contract 1.8. */
export interface PriceTick {
  ticker: string;
  price: number;
  openPrice: number;
  closePrice: number;
  /** ISO-Z with milliseconds. */
  asOf: string;
  source: PriceSource;
}

/** How far a ticker may move beyond its open/close range (contract 4.2, names as `/health` shows them). */
export const VOLATILITY_PROFILES = { extended_4pct: 0.04, extended_2pct: 0.02, strict: 0 } as const;
export type VolatilityProfile = keyof typeof VOLATILITY_PROFILES;

/** Share of tickers in the 4% and the strict profile; the rest get 2%. */
const OUTER_PROFILE_SHARE = 0.2;
/** A tick moves the price by up to ±0.5%. */
const MAX_TICK_MOVE = 0.005;

export interface PublishCadence {
  minMs: number;
  maxMs: number;
  /** Share of the universe ticked per cycle, rounded up. */
  ratio: number;
}

/** Uniform numbers in [0, 1). */
export type RandomSource = () => number;

/** A reproducible source for a seed. */
export function seededRandom(seed: number): RandomSource {
  const generator = xoroshiro128plus(seed);
  return () => uniformFloat64(generator);
}

interface Instrument {
  readonly ticker: string;
  readonly openPrice: number;
  readonly closePrice: number;
  readonly source: PriceSource;
  readonly profile: VolatilityProfile;
  readonly low: number;
  readonly high: number;
  price: number;
}

export interface PriceModelOptions {
  tickers: readonly string[];
  cadence: PublishCadence;
  /** Drives bootstrap, bands, cycles and moves. */
  random: RandomSource;
  /** Drives quotes created on demand for unknown tickers, so those never disturb the market stream. */
  fallbackRandom: RandomSource;
}

export interface PublishCycle {
  ticks: PriceTick[];
  /** How long to wait before the next cycle. */
  sleepMs: number;
}

const round3 = (value: number): number => Math.round(value * 1000 + Math.sign(value) * 1e-7) / 1000;

function bandOf(open: number, close: number, profile: VolatilityProfile): { low: number; high: number } {
  const pct = VOLATILITY_PROFILES[profile];
  return { low: round3(Math.min(open, close) * (1 - pct)), high: round3(Math.max(open, close) * (1 + pct)) };
}

export class PriceModel {
  private readonly instruments = new Map<string, Instrument>();

  constructor(private readonly options: PriceModelOptions) {
    const { tickers, random } = options;
    const profiles = new Map<string, VolatilityProfile>();
    const shuffled = [...tickers];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const outer = Math.floor(shuffled.length * OUTER_PROFILE_SHARE);
    shuffled.forEach((ticker, index) => {
      const profile =
        index < outer ? "extended_4pct" : index >= shuffled.length - outer ? "strict" : "extended_2pct";
      profiles.set(ticker, profile);
    });
    for (const ticker of tickers) {
      const snapshot = PRICE_SNAPSHOT[ticker];
      const { open, close } = snapshot ?? this.randomOpenClose(random);
      this.addInstrument(ticker, open, close, snapshot ? "snapshot" : "fallback", profiles.get(ticker)!);
    }
  }

  get size(): number {
    return this.instruments.size;
  }

  has(ticker: string): boolean {
    return this.instruments.has(ticker);
  }

  /** Every ticker's current quote, in bootstrap order (tickers first seen through REST last). */
  quotes(now: Date): PriceTick[] {
    return [...this.instruments.values()].map((instrument) => this.tickOf(instrument, now));
  }

  /**
   * The current quote of a ticker. An unknown ticker gets a random fallback quote and a random profile,
   * and joins the published universe.
   */
  quote(ticker: string, now: Date): PriceTick {
    let instrument = this.instruments.get(ticker);
    if (!instrument) {
      const random = this.options.fallbackRandom;
      const { open, close } = this.randomOpenClose(random);
      const draw = random();
      const profile: VolatilityProfile =
        draw < OUTER_PROFILE_SHARE
          ? "extended_4pct"
          : draw < 1 - OUTER_PROFILE_SHARE
            ? "extended_2pct"
            : "strict";
      instrument = this.addInstrument(ticker, open, close, "fallback", profile);
    }
    return this.tickOf(instrument, now);
  }

  /** Count of tickers per volatility profile, for `/health`. */
  bandCounts(): Record<VolatilityProfile, number> {
    const counts: Record<VolatilityProfile, number> = { extended_4pct: 0, extended_2pct: 0, strict: 0 };
    for (const instrument of this.instruments.values()) counts[instrument.profile]++;
    return counts;
  }

  /** The band a ticker's price stays within. */
  bandOf(ticker: string): { low: number; high: number; profile: VolatilityProfile } | undefined {
    const instrument = this.instruments.get(ticker);
    return instrument && { low: instrument.low, high: instrument.high, profile: instrument.profile };
  }

  /**
   * One publishing cycle: ⌈N × ratio⌉ distinct random tickers each take one random-walk step, then a
   * random pause between the cadence's bounds.
   */
  nextCycle(now: Date): PublishCycle {
    const { random, cadence } = this.options;
    const universe = [...this.instruments.values()];
    const batch = Math.min(universe.length, Math.ceil(universe.length * cadence.ratio));
    const ticks: PriceTick[] = [];
    for (let i = 0; i < batch; i++) {
      const j = i + Math.floor(random() * (universe.length - i));
      [universe[i], universe[j]] = [universe[j], universe[i]];
      const instrument = universe[i];
      const moved = instrument.price * (1 + (random() * 2 - 1) * MAX_TICK_MOVE);
      instrument.price = round3(Math.min(instrument.high, Math.max(instrument.low, moved)));
      ticks.push(this.tickOf(instrument, now));
    }
    const sleepMs = Math.round(cadence.minMs + random() * (cadence.maxMs - cadence.minMs));
    return { ticks, sleepMs };
  }

  private randomOpenClose(random: RandomSource): { open: number; close: number } {
    const open = round3(100 + random() * 50);
    return { open, close: round3(open * (1 + (random() * 2 - 1) * 0.01)) };
  }

  private addInstrument(
    ticker: string,
    openPrice: number,
    closePrice: number,
    source: PriceSource,
    profile: VolatilityProfile,
  ): Instrument {
    const instrument: Instrument = {
      ticker,
      openPrice,
      closePrice,
      source,
      profile,
      ...bandOf(openPrice, closePrice, profile),
      price: closePrice,
    };
    this.instruments.set(ticker, instrument);
    return instrument;
  }

  private tickOf(instrument: Instrument, now: Date): PriceTick {
    return {
      ticker: instrument.ticker,
      price: instrument.price,
      openPrice: instrument.openPrice,
      closePrice: instrument.closePrice,
      asOf: now.toISOString(),
      source: instrument.source,
    };
  }
}
