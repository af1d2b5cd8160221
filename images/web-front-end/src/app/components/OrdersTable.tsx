import { formatPrice, formatQuantity, formatRelativeTime } from "../domain/format";
import type { PriceBook } from "../domain/prices";
import type { Order } from "../domain/types";
import { useNow } from "../hooks";
import { DataTable, accountNameColumn, type Column } from "./DataTable";

/** The live market price of the order's security, or the matcher's last seen price until one arrives. */
const marketPriceOf = (order: Order, prices: PriceBook): number | undefined =>
  prices[order.security]?.price ?? order.marketPrice ?? undefined;

interface OrdersTableProps {
  variant: "blotter" | "admin";
  orders: readonly Order[];
  prices: PriceBook;
  /** Blotter in All Accounts mode shows account names; the admin grid shows account ids. */
  accountNames?: ReadonlyMap<number, string>;
  busyOrderId?: string;
  onCancel: (order: Order) => void;
  onForceFill?: (order: Order) => void;
  onRowClick?: (order: Order) => void;
}

/** The Orders tab of the Trade page and the Admin grid (contract 4.3). */
export function OrdersTable(props: OrdersTableProps) {
  const { variant, orders, prices, accountNames, busyOrderId, onCancel, onForceFill, onRowClick } = props;
  const now = useNow();
  const delta = (order: Order) => {
    const market = marketPriceOf(order, prices);
    return market === undefined ? undefined : market - order.limitPrice;
  };
  const actionButton = (order: Order, label: string, handler: (order: Order) => void) => (
    <button
      type="button"
      className="small"
      disabled={busyOrderId === order.orderId}
      onClick={(event) => {
        event.stopPropagation();
        handler(order);
      }}
    >
      {label}
    </button>
  );
  const accountColumn: Column<Order>[] =
    variant === "admin"
      ? [{ header: "ACCOUNT", cell: (o) => String(o.accountId) }]
      : accountNames
        ? [accountNameColumn<Order>(accountNames)]
        : [];
  const columns: Column<Order>[] = [
    { header: "ORDER ID", cell: (o) => o.orderId },
    ...accountColumn,
    { header: "SECURITY", cell: (o) => o.security },
    { header: "SIDE", cell: (o) => o.side, className: (o) => (o.side === "Buy" ? "side-buy" : "side-sell") },
    { header: "QTY", cell: (o) => formatQuantity(o.quantity), numeric: true },
    { header: "REMAINING", cell: (o) => formatQuantity(o.remainingQuantity), numeric: true },
    { header: "STRIKE", cell: (o) => formatPrice(o.limitPrice), numeric: true },
    { header: "MARKET", cell: (o) => formatPrice(marketPriceOf(o, prices)), numeric: true },
    {
      header: "DELTA",
      cell: (o) => formatPrice(delta(o)),
      numeric: true,
      className: (o) => {
        const value = delta(o) ?? 0;
        return value > 0 ? "gain" : value < 0 ? "loss" : undefined;
      },
    },
    ...(variant === "admin" ? [{ header: "STATUS", cell: (o: Order) => o.status }] : []),
    { header: "UPDATED", cell: (o) => formatRelativeTime(o.updatedAt, now) },
    ...(variant === "admin"
      ? [
          { header: "CANCEL", cell: (o: Order) => actionButton(o, "Cancel", onCancel) },
          ...(onForceFill
            ? [{ header: "FORCE FILL", cell: (o: Order) => actionButton(o, "Force Fill", onForceFill) }]
            : []),
        ]
      : [{ header: "ACTION", cell: (o: Order) => actionButton(o, "Cancel", onCancel) }]),
  ];
  return (
    <DataTable
      caption={variant === "admin" ? "Open orders (all accounts)" : "Open orders"}
      testId={variant === "admin" ? "admin-orders" : "order-blotter"}
      columns={columns}
      rows={orders}
      rowKey={(o) => o.orderId}
      empty="No open orders."
      onRowClick={onRowClick}
    />
  );
}
