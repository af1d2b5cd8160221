import type { PriceBook } from "./prices";
import type { Position } from "./types";

/** A position row as the blotter shows it (contract 4.2 valuation). */
export interface ValuedPosition {
  accountId: number;
  security: string;
  quantity: number;
  averageCostBasis: number;
  openPrice: number | undefined;
  /** The live price, or the average cost until a price is known. */
  marketPrice: number;
  hasLivePrice: boolean;
  marketValue: number;
  costValue: number;
  pnl: number;
}

export interface PortfolioTotals {
  marketValue: number;
  costValue: number;
  pnl: number;
  positions: number;
}

export function valuePosition(position: Position, prices: PriceBook): ValuedPosition {
  const tick = prices[position.security];
  const marketPrice = tick ? tick.price : position.averageCostBasis;
  const marketValue = position.quantity * marketPrice;
  const costValue = position.quantity * position.averageCostBasis;
  return {
    accountId: position.accountId,
    security: position.security,
    quantity: position.quantity,
    averageCostBasis: position.averageCostBasis,
    openPrice: tick?.openPrice,
    marketPrice,
    hasLivePrice: tick !== undefined,
    marketValue,
    costValue,
    pnl: marketValue - costValue,
  };
}

/**
 * All Accounts mode: one row per security, quantities and cost values summed (F2). The merged average
 * cost is the summed cost value over the summed quantity, 0 when the quantities cancel out.
 */
export function mergePositionsBySecurity(positions: readonly Position[]): Position[] {
  const merged = new Map<string, { quantity: number; costValue: number; updated: Position["updated"] }>();
  for (const position of positions) {
    const entry = merged.get(position.security) ?? { quantity: 0, costValue: 0, updated: position.updated };
    entry.quantity += position.quantity;
    entry.costValue += position.quantity * position.averageCostBasis;
    merged.set(position.security, entry);
  }
  return [...merged.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([security, entry]) => ({
      accountId: 0,
      security,
      quantity: entry.quantity,
      averageCostBasis: entry.quantity === 0 ? 0 : entry.costValue / entry.quantity,
      updated: entry.updated,
    }));
}

export function portfolioTotals(positions: readonly ValuedPosition[]): PortfolioTotals {
  return positions.reduce<PortfolioTotals>(
    (totals, row) => ({
      marketValue: totals.marketValue + row.marketValue,
      costValue: totals.costValue + row.costValue,
      pnl: totals.pnl + row.pnl,
      positions: totals.positions + 1,
    }),
    { marketValue: 0, costValue: 0, pnl: 0, positions: 0 },
  );
}
