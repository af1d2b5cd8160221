import { useEffect, useMemo, useState } from "react";
import { cancelOrder, listAccounts, listStocks } from "../api/traderx";
import { Banner, Progress } from "../components/Banner";
import { PositionBlotter, TradeBlotter } from "../components/Blotters";
import { OrdersTable } from "../components/OrdersTable";
import { TicketForm } from "../components/TicketForm";
import { formatMoney } from "../domain/format";
import { ALL_ACCOUNTS, type Account, type Order, type Stock } from "../domain/types";
import {
  mergePositionsBySecurity,
  portfolioTotals,
  valuePosition,
  type PortfolioTotals,
} from "../domain/valuation";
import { PriceBookProvider, useAction, useLoad, usePriceBook } from "../hooks";
import { defaultAccountId, useOpenOrders, usePositions, useTrades } from "../tradeData";

function PortfolioBanner({ title, totals }: { title: string; totals: PortfolioTotals }) {
  const pnlClass = totals.pnl > 0 ? "gain" : totals.pnl < 0 ? "loss" : "";
  return (
    <section className="portfolio-banner" aria-label={`Portfolio ${title}`}>
      <h3>{title}</h3>
      <dl>
        <div>
          <dt>Market value</dt>
          <dd>{formatMoney(totals.marketValue)}</dd>
        </div>
        <div>
          <dt>Cost value</dt>
          <dd>{formatMoney(totals.costValue)}</dd>
        </div>
        <div>
          <dt>P&amp;L</dt>
          <dd className={pnlClass}>{formatMoney(totals.pnl)}</dd>
        </div>
        <div>
          <dt>Positions</dt>
          <dd>{totals.positions}</dd>
        </div>
      </dl>
    </section>
  );
}

type TicketKind = "trade" | "order";
const TICKETS: { kind: TicketKind; label: string }[] = [
  { kind: "trade", label: "Trade Ticket" },
  { kind: "order", label: "Order Ticket" },
];
type BlotterTab = "trades" | "orders";

function TradeWorkspace({ accounts, stocks }: { accounts: Account[]; stocks: Stock[] }) {
  const [accountId, setAccountId] = useState(() => defaultAccountId(accounts));
  const [ticket, setTicket] = useState<TicketKind | undefined>();
  const [tab, setTab] = useState<BlotterTab>("trades");
  const [orderSecurity, setOrderSecurity] = useState("");
  const prices = usePriceBook();
  const cancel = useAction();
  const [cancelling, setCancelling] = useState<string | undefined>();

  const accountIds = useMemo(() => accounts.map((account) => account.id), [accounts]);
  const accountNames = useMemo(() => new Map(accounts.map((a) => [a.id, a.displayName])), [accounts]);
  const allAccounts = accountId === 0;

  const trades = useTrades(accountId, accountIds);
  const positions = usePositions(accountId, accountIds);
  const everyPosition = usePositions(0, accountIds);
  const orders = useOpenOrders(accountId);

  const shownPositions = useMemo(
    () =>
      (allAccounts ? mergePositionsBySecurity(positions.rows) : positions.rows).map((p) =>
        valuePosition(p, prices),
      ),
    [allAccounts, positions.rows, prices],
  );
  const allTotals = useMemo(
    () => portfolioTotals(mergePositionsBySecurity(everyPosition.rows).map((p) => valuePosition(p, prices))),
    [everyPosition.rows, prices],
  );

  useEffect(() => {
    if (allAccounts) setTicket(undefined);
  }, [allAccounts]);

  const cancelRow = (order: Order) => {
    setCancelling(order.orderId);
    void cancel
      .run(async () => {
        const result = await cancelOrder(order.orderId);
        return `Order ${result.orderId} is ${result.status}.`;
      })
      .finally(() => setCancelling(undefined));
  };

  const selectedName = accountNames.get(accountId) ?? ALL_ACCOUNTS.displayName;
  return (
    <div className="trade-page">
      <div className="toolbar">
        <label htmlFor="account-select">Account</label>
        <select
          id="account-select"
          data-testid="account-select"
          value={accountId}
          onChange={(event) => setAccountId(Number(event.target.value))}
        >
          <option value={ALL_ACCOUNTS.id}>{ALL_ACCOUNTS.displayName}</option>
          {accounts.map((account) => (
            <option key={account.id} value={account.id}>
              {account.displayName} ({account.id})
            </option>
          ))}
        </select>
        {TICKETS.map(({ kind, label }) => (
          <button
            key={kind}
            type="button"
            disabled={allAccounts}
            aria-pressed={ticket === kind}
            onClick={() => setTicket(ticket === kind ? undefined : kind)}
          >
            {label}
          </button>
        ))}
        {allAccounts && (
          <span className="note" data-testid="all-accounts-note">
            Tickets are disabled in All Accounts mode: choose one account to trade.
          </span>
        )}
      </div>

      <div className="banners">
        <PortfolioBanner title="All Accounts" totals={allTotals} />
        {!allAccounts && <PortfolioBanner title={selectedName} totals={portfolioTotals(shownPositions)} />}
      </div>

      {ticket && !allAccounts && (
        <TicketForm
          key={ticket}
          kind={ticket}
          accountId={accountId}
          stocks={stocks}
          initialSecurity={ticket === "order" ? orderSecurity : ""}
          onDone={ticket === "order" ? () => setTab("orders") : undefined}
        />
      )}

      <div className="blotter-tabs" role="tablist" aria-label="Blotters">
        <button role="tab" type="button" aria-selected={tab === "trades"} onClick={() => setTab("trades")}>
          Trades / Positions
        </button>
        <button role="tab" type="button" aria-selected={tab === "orders"} onClick={() => setTab("orders")}>
          Orders ({orders.rows.length})
        </button>
      </div>

      {tab === "trades" ? (
        <div className="blotters" role="tabpanel">
          <section className="blotter">
            <h2>Trades {trades.loading && <Progress label="Loading trades…" />}</h2>
            {trades.error && <Banner result={{ kind: "error", text: trades.error }} />}
            <TradeBlotter trades={trades.rows} accountNames={allAccounts ? accountNames : undefined} />
          </section>
          <section className="blotter">
            <h2>Positions {positions.loading && <Progress label="Loading positions…" />}</h2>
            {positions.error && <Banner result={{ kind: "error", text: positions.error }} />}
            <PositionBlotter positions={shownPositions} />
          </section>
        </div>
      ) : (
        <section className="blotter" role="tabpanel">
          <h2>Open Orders {orders.loading && <Progress label="Loading orders…" />}</h2>
          {orders.error && <Banner result={{ kind: "error", text: orders.error }} />}
          <Banner result={cancel.result} onClose={cancel.clear} />
          <OrdersTable
            variant="blotter"
            orders={orders.rows}
            prices={prices}
            accountNames={allAccounts ? accountNames : undefined}
            busyOrderId={cancelling}
            onCancel={cancelRow}
            onRowClick={
              allAccounts
                ? undefined
                : (order) => {
                    setOrderSecurity(order.security);
                    setTicket("order");
                  }
            }
          />
        </section>
      )}
    </div>
  );
}

export function TradePage() {
  const accounts = useLoad(listAccounts, []);
  const stocks = useLoad(listStocks, []);
  const sortedAccounts = useMemo(
    () => (accounts.data ?? []).slice().sort((a, b) => a.id - b.id),
    [accounts.data],
  );
  if (accounts.error || stocks.error) {
    return <Banner result={{ kind: "error", text: accounts.error ?? stocks.error ?? "" }} />;
  }
  if (!accounts.data || !stocks.data) return <Progress label="Loading accounts…" />;
  return (
    <PriceBookProvider>
      <TradeWorkspace accounts={sortedAccounts} stocks={stocks.data} />
    </PriceBookProvider>
  );
}
