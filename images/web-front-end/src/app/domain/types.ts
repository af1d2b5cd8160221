/** Wire shapes of the TraderX services, as the browser sees them (contract sections 1.4 to 1.9). */

export interface Account {
  id: number;
  displayName: string;
}

export interface AccountUser {
  accountId: number;
  username: string;
}

export interface Person {
  logonId: string;
  fullName: string;
  email: string;
  employeeId: string;
  department: string;
  photoUrl: string;
}

export interface Stock {
  ticker: string;
  companyName: string;
}

export type Side = "Buy" | "Sell";

/** `updated`/`created` are ISO strings over REST and epoch-ms numbers on the bus. */
export interface Trade {
  id: string;
  accountId: number;
  security: string;
  side: Side;
  state: string;
  quantity: number;
  price: number;
  updated: string | number;
  created: string | number;
}

export interface Position {
  accountId: number;
  security: string;
  quantity: number;
  averageCostBasis: number;
  updated: string | number;
}

export interface PriceTick {
  ticker: string;
  price: number;
  openPrice: number;
  closePrice: number;
  asOf?: string;
  source?: string;
}

export type OrderStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED";

export interface Order {
  orderId: string;
  accountId: number;
  security: string;
  side: Side;
  quantity: number;
  remainingQuantity: number;
  limitPrice: number;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  lastExecutionPrice?: number | null;
  lastFillQuantity?: number | null;
  marketPrice?: number | null;
}

/** The synthetic account that stands for every account at once (F1). */
export const ALL_ACCOUNTS: Account = { id: 0, displayName: "All Accounts" };
