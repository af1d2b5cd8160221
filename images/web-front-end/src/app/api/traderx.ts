import { pricesFromResponse } from "../domain/prices";
import type {
  Account,
  AccountUser,
  Order,
  Person,
  Position,
  PriceTick,
  Side,
  Stock,
  Trade,
} from "../domain/types";
import { postJson, requestJson } from "./http";

/** Same-origin base URLs of the services behind the edge (contract 1.10). */
export const SERVICE_BASE = {
  accounts: "/account-service",
  referenceData: "/reference-data",
  trades: "/trade-service",
  positions: "/position-service",
  people: "/people-service",
  orders: "/order-matcher",
  prices: "/price-publisher",
} as const;

export const listAccounts = () => requestJson<Account[]>(`${SERVICE_BASE.accounts}/account/`);

/** F5: without `id` the service creates a new account; with one it renames it. */
export const saveAccount = (account: { id?: number; displayName: string }) =>
  postJson<Account>(`${SERVICE_BASE.accounts}/account/`, account);

export const listAccountUsers = () => requestJson<AccountUser[]>(`${SERVICE_BASE.accounts}/accountuser/`);

export const addAccountUser = (accountUser: AccountUser) =>
  postJson<AccountUser>(`${SERVICE_BASE.accounts}/accountuser/`, accountUser);

export const getPerson = (logonId: string) =>
  requestJson<Person>(`${SERVICE_BASE.people}/People/GetPerson?LogonId=${encodeURIComponent(logonId)}`);

export const searchPeople = (searchText: string) =>
  requestJson<{ people: Person[] }>(
    `${SERVICE_BASE.people}/People/GetMatchingPeople?SearchText=${encodeURIComponent(searchText)}&Take=10`,
  ).then((body) => body.people);

export const listStocks = () => requestJson<Stock[]>(`${SERVICE_BASE.referenceData}/stocks`);

/** Account id 0 (All Accounts) reads the whole book. */
export const listTrades = (accountId: number) =>
  requestJson<Trade[]>(`${SERVICE_BASE.positions}/trades/${accountId === 0 ? "" : accountId}`);

export const listPositions = (accountId: number) =>
  requestJson<Position[]>(`${SERVICE_BASE.positions}/positions/${accountId === 0 ? "" : accountId}`);

export interface TradeTicket {
  accountId: number;
  security: string;
  side: Side;
  quantity: number;
}

export const submitTrade = (ticket: TradeTicket) =>
  postJson<TradeTicket>(`${SERVICE_BASE.trades}/trade/`, ticket);

export const listOpenOrders = (accountId: number) =>
  requestJson<Order[]>(
    `${SERVICE_BASE.orders}/orders?status=open${accountId === 0 ? "" : `&accountId=${accountId}`}`,
  );

export interface OrderTicket extends TradeTicket {
  limitPrice: number;
}

export const createOrder = (ticket: OrderTicket) => postJson<Order>(`${SERVICE_BASE.orders}/orders`, ticket);

export const cancelOrder = (orderId: string) =>
  postJson<Order>(`${SERVICE_BASE.orders}/orders/${encodeURIComponent(orderId)}/cancel`, {});

export const forceFillOrder = (orderId: string) =>
  postJson<Order>(`${SERVICE_BASE.orders}/orders/${encodeURIComponent(orderId)}/force-fill`, {});

export const listPrices = () =>
  requestJson<unknown>(`${SERVICE_BASE.prices}/prices`).then(pricesFromResponse);

export const getPrice = (ticker: string) =>
  requestJson<PriceTick>(`${SERVICE_BASE.prices}/prices/${encodeURIComponent(ticker)}`);
