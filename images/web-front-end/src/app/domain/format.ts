/** Number and time formatting for the blotters: prices to 3 decimals, quantities grouped. */

const priceFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const quantityFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const moneyFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatPrice(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : priceFormat.format(value);
}

export function formatQuantity(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? "—"
    : quantityFormat.format(value);
}

export function formatMoney(value: number): string {
  return moneyFormat.format(value);
}

/** Milliseconds since the epoch of a REST (ISO string) or bus (epoch-ms) timestamp. */
export function toEpochMs(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return Number.NaN;
  return typeof value === "number" ? value : Date.parse(value);
}

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/**
 * "5 seconds ago", "2 minutes ago" … relative to `now`. A time after `now` (the server's clock ahead of
 * the browser's, or `now` from the last clock tick) reads "now" rather than "in 2 seconds".
 */
export function formatRelativeTime(value: string | number, now: number): string {
  const then = toEpochMs(value);
  if (Number.isNaN(then)) return "—";
  const seconds = Math.min(0, Math.round((then - now) / 1000));
  if (Math.abs(seconds) < 60) return relativeFormat.format(seconds, "second");
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relativeFormat.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relativeFormat.format(hours, "hour");
  return relativeFormat.format(Math.round(hours / 24), "day");
}

export type PriceDirection = "up" | "down" | "flat";

/** Where the live price stands against the day's open: ▲ above, ▼ below, ■ equal (contract 4.2). */
export function priceDirection(price: number, openPrice: number): PriceDirection {
  if (price > openPrice) return "up";
  if (price < openPrice) return "down";
  return "flat";
}

export const DIRECTION_ARROW: Record<PriceDirection, string> = { up: "▲", down: "▼", flat: "■" };
