import {
  DIRECTION_ARROW,
  formatMoney,
  formatPrice,
  formatQuantity,
  formatRelativeTime,
  priceDirection,
} from "../domain/format";
import type { Trade } from "../domain/types";
import type { ValuedPosition } from "../domain/valuation";
import { useNow } from "../hooks";
import { DataTable, accountNameColumn, type Column } from "./DataTable";

export function PriceWithArrow({ price, openPrice }: { price: number; openPrice: number | undefined }) {
  if (openPrice === undefined) return <>{formatPrice(price)}</>;
  const direction = priceDirection(price, openPrice);
  return (
    <span className={`price-${direction}`}>
      {formatPrice(price)} <span aria-label={direction}>{DIRECTION_ARROW[direction]}</span>
    </span>
  );
}

const signClass = (value: number) => (value > 0 ? "gain" : value < 0 ? "loss" : undefined);

interface TradeBlotterProps {
  trades: readonly Trade[];
  /** Set in All Accounts mode: adds the ACCOUNT column. */
  accountNames?: ReadonlyMap<number, string>;
}

export function TradeBlotter({ trades, accountNames }: TradeBlotterProps) {
  const now = useNow();
  const columns: Column<Trade>[] = [
    ...(accountNames ? [accountNameColumn<Trade>(accountNames)] : []),
    { header: "SECURITY", cell: (t) => t.security },
    { header: "PRICE", cell: (t) => formatPrice(t.price), numeric: true },
    { header: "QUANTITY", cell: (t) => formatQuantity(t.quantity), numeric: true },
    { header: "SIDE", cell: (t) => t.side, className: (t) => (t.side === "Buy" ? "side-buy" : "side-sell") },
    { header: "STATE", cell: (t) => t.state },
    { header: "EXECUTED", cell: (t) => formatRelativeTime(t.updated, now) },
  ];
  return (
    <DataTable
      caption="Trades"
      testId="trade-blotter"
      columns={columns}
      rows={trades}
      rowKey={(t) => t.id}
      empty="No trades yet."
    />
  );
}

const POSITION_COLUMNS: Column<ValuedPosition>[] = [
  { header: "SECURITY", cell: (p) => p.security },
  { header: "QUANTITY", cell: (p) => formatQuantity(p.quantity), numeric: true },
  { header: "AVG COST", cell: (p) => formatPrice(p.averageCostBasis), numeric: true },
  { header: "OPEN", cell: (p) => formatPrice(p.openPrice), numeric: true },
  {
    header: "MKT PRICE",
    cell: (p) => <PriceWithArrow price={p.marketPrice} openPrice={p.openPrice} />,
    numeric: true,
    className: (p) =>
      p.openPrice === undefined ? undefined : `cell-${priceDirection(p.marketPrice, p.openPrice)}`,
  },
  { header: "POSITION VALUE", cell: (p) => formatMoney(p.marketValue), numeric: true },
  { header: "P&L", cell: (p) => formatMoney(p.pnl), numeric: true, className: (p) => signClass(p.pnl) },
];

export function PositionBlotter({ positions }: { positions: readonly ValuedPosition[] }) {
  return (
    <DataTable
      caption="Positions"
      testId="position-blotter"
      columns={POSITION_COLUMNS}
      rows={positions}
      rowKey={(p) => `${p.accountId}:${p.security}`}
      empty="No positions."
    />
  );
}
