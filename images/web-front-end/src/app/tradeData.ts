import { listOpenOrders, listPositions, listTrades } from "./api/traderx";
import { upsertBy } from "./domain/collections";
import { applyOrderEvent } from "./domain/orders";
import { applyTradeEvent } from "./domain/trades";
import type { Account, Order, Position, Trade } from "./domain/types";
import { useLiveRows } from "./liveRows";

/** F1: the 6th real account in id order (52355 Big Corporate Fund), the first if there are fewer, else All. */
export function defaultAccountId(accounts: readonly Account[]): number {
  const ids = accounts.map((account) => account.id).sort((a, b) => a - b);
  return ids[5] ?? ids[0] ?? 0;
}

/** Subjects of one account, or of every real account in All Accounts mode (id 0). */
function accountSubjects(accountId: number, accountIds: readonly number[], family: string): string[] {
  const ids = accountId === 0 ? accountIds : [accountId];
  return ids.map((id) => `/accounts/${id}/${family}`);
}

export function useTrades(accountId: number, accountIds: readonly number[]) {
  return useLiveRows<Trade>({
    key: String(accountId),
    load: () => listTrades(accountId),
    subjects: accountSubjects(accountId, accountIds, "trades"),
    apply: (rows, event) => applyTradeEvent(rows, event as Trade),
  });
}

/** One account: events upserted by security. All Accounts: every event refetches `/positions/` (§2). */
export function usePositions(accountId: number, accountIds: readonly number[]) {
  return useLiveRows<Position>({
    key: String(accountId),
    load: () => listPositions(accountId),
    subjects: accountSubjects(accountId, accountIds, "positions"),
    apply:
      accountId === 0
        ? undefined
        : (rows, event) => {
            const position = event as Position;
            if (position.accountId !== accountId) return rows;
            return upsertBy(rows, position, (row) => row.security).sort((a, b) =>
              a.security.localeCompare(b.security),
            );
          },
  });
}

/** Open orders of one account (`/accounts/{id}/orders`) or of all accounts (`/orders`), push only. */
export function useOpenOrders(accountId: number) {
  return useLiveRows<Order>({
    key: String(accountId),
    load: () => listOpenOrders(accountId),
    subjects: [accountId === 0 ? "/orders" : `/accounts/${accountId}/orders`],
    apply: (rows, event) => applyOrderEvent(rows, event as Order, accountId),
  });
}
