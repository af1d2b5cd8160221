import type { PriceTick } from "./types";

/**
 * The client freshness rule of contract 4.2: per ticker keep the candidate with the greatest `asOf`;
 * a candidate older than the held one, or one without `asOf` once a timestamped one is held, is ignored.
 * REST snapshots and stream ticks go through the same rule, so whichever arrives last cannot win by accident.
 */
export function isFresher(held: PriceTick | undefined, candidate: PriceTick): boolean {
  if (!held) return true;
  const heldAsOf = held.asOf ? Date.parse(held.asOf) : Number.NaN;
  const candidateAsOf = candidate.asOf ? Date.parse(candidate.asOf) : Number.NaN;
  if (Number.isNaN(candidateAsOf)) return Number.isNaN(heldAsOf);
  if (Number.isNaN(heldAsOf)) return true;
  return candidateAsOf >= heldAsOf;
}

export type PriceBook = Readonly<Record<string, PriceTick>>;

/** The book with `candidates` applied; the same object when none of them was fresher. */
export function applyPrices(book: PriceBook, candidates: readonly PriceTick[]): PriceBook {
  let next: Record<string, PriceTick> | undefined;
  for (const candidate of candidates) {
    if (!candidate || typeof candidate.ticker !== "string" || !Number.isFinite(candidate.price)) continue;
    const current = (next ?? book)[candidate.ticker];
    if (isFresher(current, candidate)) {
      next ??= { ...book };
      next[candidate.ticker] = candidate;
    }
  }
  return next ?? book;
}

/** `GET /price-publisher/prices` answers `{prices:[…]}`; older servers a bare array. Accept both. */
export function pricesFromResponse(body: unknown): PriceTick[] {
  if (Array.isArray(body)) return body as PriceTick[];
  if (body && typeof body === "object" && Array.isArray((body as { prices?: unknown }).prices)) {
    return (body as { prices: PriceTick[] }).prices;
  }
  return [];
}
