/**
 * The open orders of one security and side, indexed by limit price for the pricing ticks.
 *
 * Most orders sit in a dense window: an array with one slot per price key (thousandths) over a span of
 * keys, so that adding or removing an order touches one slot and one bit, with no hashing and no tree to
 * walk. A bitmap of occupied keys, and a summary bit per bitmap word, let a tick find the occupied keys
 * on its side of the market without reading the empty ones: O(k + span ÷ 1024) for k orders in the
 * money. The window grows to cover new keys while it spans at most KEYS_PER_ORDER keys per open order of
 * the ladder (and WINDOW_CAPACITY in all), so its memory stays proportional to the orders however far
 * apart their limits are. An order outside it lands in a B+ tree of outlying levels: O(log n) instead.
 */
import BTreeExports from "sorted-btree";
import { Order, Side } from "./orders.js";

type BTreeClass = typeof BTreeExports.default;
// Node's ESM loader hands over the CommonJS exports object, while loaders that honour `__esModule`
// (tsx compiling to CommonJS under mocha) hand over the class itself.
const BTree: BTreeClass =
  (BTreeExports as { default?: BTreeClass }).default ?? (BTreeExports as unknown as BTreeClass);

/**
 * The orders at one limit: one order as is; a few in an array, which a cancel scans without touching the
 * orders themselves; more than LEVEL_ARRAY_LIMIT in a Set, so that a crowded price never costs a long scan.
 */
type PriceLevel = Order | Order[] | Set<Order>;
const LEVEL_ARRAY_LIMIT = 16;

/** The most keys a window spans: 2^20 thousandths, a price range of 1,048.576 (8 MiB of slots). */
export const WINDOW_CAPACITY = 1 << 20;
/** The most keys a window spans per open order of its ladder: 8 bytes a slot, so 512 bytes an order. */
export const KEYS_PER_ORDER = 64;
/** Keys per summary bit; the window grows in whole blocks so that bitmap words never straddle a block. */
const BLOCK = 1024;

function addToLevel(level: PriceLevel | undefined, order: Order): PriceLevel {
  if (level === undefined) return order;
  if (Array.isArray(level)) {
    if (level.length < LEVEL_ARRAY_LIMIT) {
      level.push(order);
      return level;
    }
    return new Set(level).add(order);
  }
  if (level instanceof Set) return level.add(order);
  return [level, order];
}

/** What `removeFromLevel` returns when the level does not hold the order. */
const ABSENT = Symbol("absent");

/** Takes `order` out of `level`: the level left, undefined once it is empty, or ABSENT. */
function removeFromLevel(
  level: PriceLevel | undefined,
  order: Order,
): PriceLevel | undefined | typeof ABSENT {
  if (level === order) return undefined;
  if (Array.isArray(level)) {
    const index = level.indexOf(order);
    if (index < 0) return ABSENT;
    const last = level.pop()!;
    if (index < level.length) level[index] = last;
    return level.length > 0 ? level : undefined;
  }
  if (level instanceof Set && level.delete(order)) return level.size > 0 ? level : undefined;
  return ABSENT;
}

function visitLevel(level: PriceLevel, visit: (order: Order) => void): void {
  if (Array.isArray(level) || level instanceof Set) for (const order of level) visit(order);
  else visit(level);
}

/** Calls `visit` with the index of every set bit of `word`, lowest first; `offset` is added to each. */
function forEachSetBit(word: number, offset: number, visit: (index: number) => void): void {
  let bits = word;
  while (bits !== 0) {
    const lowest = bits & -bits;
    visit(offset + 31 - Math.clz32(lowest));
    bits ^= lowest;
  }
}

/** `word` with only the bits from `first` to `last` (0–31, inclusive) kept. */
function maskBits(word: number, first: number, last: number): number {
  return word & (-1 << first) & (-1 >>> (31 - last));
}

/** Price levels in one array slot per key, for keys `base` to `base + levels.length - 1`. */
class PriceWindow {
  private base = 0;
  private levels: (PriceLevel | undefined)[] = [];
  /** Bit i: key `base + i` holds a level. */
  private occupied = new Int32Array(0);
  /** Bit j: word j of `occupied` is not zero. */
  private occupiedWords = new Int32Array(0);

  get firstKey(): number {
    return this.base;
  }

  /** The key after the last one covered. */
  get endKey(): number {
    return this.base + this.levels.length;
  }

  covers(key: number): boolean {
    return key >= this.base && key < this.endKey;
  }

  /** Adds an order whose key the window covers. */
  add(order: Order): void {
    const index = order.limitKey - this.base;
    const level = this.levels[index];
    this.levels[index] = addToLevel(level, order);
    if (level === undefined) {
      this.occupied[index >> 5] |= 1 << (index & 31);
      this.occupiedWords[index >> 10] |= 1 << ((index >> 5) & 31);
    }
  }

  /** Removes an order whose key the window covers; false when the window does not hold it. */
  remove(order: Order): boolean {
    const index = order.limitKey - this.base;
    const left = removeFromLevel(this.levels[index], order);
    if (left === ABSENT) return false;
    this.levels[index] = left;
    if (left === undefined) {
      const word = index >> 5;
      if ((this.occupied[word] &= ~(1 << (index & 31))) === 0) {
        this.occupiedWords[word >> 5] &= ~(1 << (word & 31));
      }
    }
    return true;
  }

  /** Lets go of the memory; the next order places the window afresh. */
  clear(): void {
    this.resize(0, 0);
  }

  /**
   * Grows the window, at least doubling it, to cover `key`, unless it would then span more than
   * `maxKeys` keys (or WINDOW_CAPACITY); returns whether it covers `key`.
   */
  grow(key: number, maxKeys: number): boolean {
    const block = Math.floor(key / BLOCK) * BLOCK;
    if (this.levels.length === 0) {
      this.resize(block, BLOCK);
      return true;
    }
    const limit = Math.floor(Math.min(maxKeys, WINDOW_CAPACITY) / BLOCK) * BLOCK;
    const end = this.endKey;
    const needed = key < this.base ? end - block : block + BLOCK - this.base;
    if (needed > limit) return false;
    const length = Math.min(limit, Math.max(needed, 2 * this.levels.length));
    // Downwards the end stays put, upwards the base; never below key 0.
    this.resize(key < this.base ? Math.max(0, end - length) : this.base, length);
    return true;
  }

  /** Visits the orders at keys `firstKey` to `lastKey`, inclusive. */
  forEachBetween(firstKey: number, lastKey: number, visit: (order: Order) => void): void {
    const first = Math.max(firstKey - this.base, 0);
    const last = Math.min(lastKey - this.base, this.levels.length - 1);
    if (first > last) return;
    const firstWord = first >> 5;
    const lastWord = last >> 5;
    const visitWord = (word: number) => {
      if (word < firstWord || word > lastWord) return;
      const bits = maskBits(
        this.occupied[word],
        word === firstWord ? first & 31 : 0,
        word === lastWord ? last & 31 : 31,
      );
      forEachSetBit(bits, word << 5, (index) => visitLevel(this.levels[index]!, visit));
    };
    for (let summary = firstWord >> 5; summary <= lastWord >> 5; summary++) {
      forEachSetBit(this.occupiedWords[summary], summary << 5, visitWord);
    }
  }

  /** Moves the window to `length` keys from `base` (both multiples of BLOCK), keeping every level. */
  private resize(base: number, length: number): void {
    const levels = new Array<PriceLevel | undefined>(length).fill(undefined);
    const occupied = new Int32Array(length / 32);
    const occupiedWords = new Int32Array(length / BLOCK);
    if (this.levels.length > 0 && length > 0) {
      const shift = this.base - base;
      for (let i = 0; i < this.levels.length; i++) levels[i + shift] = this.levels[i];
      occupied.set(this.occupied, shift / 32);
      occupiedWords.set(this.occupiedWords, shift / BLOCK);
    }
    this.base = base;
    this.levels = levels;
    this.occupied = occupied;
    this.occupiedWords = occupiedWords;
  }
}

const compareKeys = (a: number, b: number): number => a - b;

export class PriceLadder {
  private readonly window = new PriceWindow();
  /** Levels outside the window, by key; the window's range never holds one. */
  private readonly outliers = new BTree<number, PriceLevel>(undefined, compareKeys);
  private orderCount = 0;

  constructor(private readonly side: Side) {}

  /** Keys the window spans (8 bytes of memory each) and levels outside it; for tests and diagnostics. */
  get footprint(): { windowKeys: number; outlyingLevels: number } {
    return { windowKeys: this.window.endKey - this.window.firstKey, outlyingLevels: this.outliers.size };
  }

  add(order: Order): void {
    this.orderCount++;
    const key = order.limitKey;
    if (this.window.covers(key) || this.growWindow(key)) this.window.add(order);
    else this.outliers.set(key, addToLevel(this.outliers.get(key), order));
  }

  remove(order: Order): void {
    if (!this.removeFromWindowOrOutliers(order)) return;
    // An empty ladder lets go of its window, which the next order places afresh.
    if (--this.orderCount === 0) this.window.clear();
  }

  /** Calls `visit` for every order in the money at `marketKey` (Buy: limit ≥ market, Sell: limit ≤ market). */
  forEachInTheMoney(marketKey: number, visit: (order: Order) => void): void {
    const [first, last] =
      this.side === "Buy" ? [marketKey, Number.MAX_SAFE_INTEGER] : [Number.MIN_SAFE_INTEGER, marketKey];
    this.window.forEachBetween(first, last, visit);
    if (this.outliers.size > 0) {
      this.outliers.forRange(first, last, true, (_key, level) => visitLevel(level, visit));
    }
  }

  private removeFromWindowOrOutliers(order: Order): boolean {
    const key = order.limitKey;
    if (this.window.covers(key)) return this.window.remove(order);
    const left = removeFromLevel(this.outliers.get(key), order);
    if (left === ABSENT) return false;
    if (left === undefined) this.outliers.delete(key);
    return true;
  }

  /** Grows the window to cover `key` if the order count allows, and moves in the outliers it then covers. */
  private growWindow(key: number): boolean {
    if (!this.window.grow(key, Math.max(BLOCK, KEYS_PER_ORDER * this.orderCount))) return false;
    if (this.outliers.size === 0) return true;
    const covered: PriceLevel[] = [];
    this.outliers.forRange(this.window.firstKey, this.window.endKey, false, (_key, level) => {
      covered.push(level);
    });
    this.outliers.deleteRange(this.window.firstKey, this.window.endKey, false);
    for (const level of covered) visitLevel(level, (order) => this.window.add(order));
    return true;
  }
}
