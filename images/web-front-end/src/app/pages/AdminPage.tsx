import { useState } from "react";
import { cancelOrder, forceFillOrder } from "../api/traderx";
import { Banner, Progress } from "../components/Banner";
import { OrdersTable } from "../components/OrdersTable";
import { formatQuantity } from "../domain/format";
import { orderCounters } from "../domain/orders";
import type { Order } from "../domain/types";
import { PriceBookProvider, useAction, usePriceBook } from "../hooks";
import { useOpenOrders } from "../tradeData";

function AdminOrders() {
  const orders = useOpenOrders(0);
  const prices = usePriceBook();
  const action = useAction();
  const [busyOrderId, setBusyOrderId] = useState<string | undefined>();
  const counters = orderCounters(orders.rows);

  const act = (order: Order, verb: string, call: (orderId: string) => Promise<Order>) => {
    setBusyOrderId(order.orderId);
    void action
      .run(async () => {
        const result = await call(order.orderId);
        return `${verb} ${result.orderId}: now ${result.status}.`;
      })
      .finally(() => setBusyOrderId(undefined));
  };

  return (
    <section className="panel" aria-label="Open orders">
      <div className="counters">
        {[
          { label: "Open Orders", testId: "open-orders", value: counters.openOrders },
          { label: "Unfilled Orders", testId: "unfilled-orders", value: counters.unfilledOrders },
          { label: "Remaining Quantity", testId: "remaining-quantity", value: counters.remainingQuantity },
        ].map((counter) => (
          <div className="counter" key={counter.testId}>
            <span className="counter-value" data-testid={counter.testId}>
              {formatQuantity(counter.value)}
            </span>
            <span>{counter.label}</span>
          </div>
        ))}
      </div>
      <h2>Open orders, all accounts {orders.loading && <Progress label="Loading orders…" />}</h2>
      {orders.error && <Banner result={{ kind: "error", text: orders.error }} />}
      {action.busy && <Progress label="Working…" />}
      <Banner result={action.result} onClose={action.clear} />
      <OrdersTable
        variant="admin"
        orders={orders.rows}
        prices={prices}
        busyOrderId={busyOrderId}
        onCancel={(order) => act(order, "Cancelled", cancelOrder)}
        onForceFill={(order) => act(order, "Force-filled", forceFillOrder)}
      />
    </section>
  );
}

export function AdminPage() {
  return (
    <PriceBookProvider>
      <AdminOrders />
    </PriceBookProvider>
  );
}
