import { upsertBy } from "./collections";
import { toEpochMs } from "./format";
import type { Trade } from "./types";

/** Upsert a trade event by `id`, newest `updated` first (F2). */
export function applyTradeEvent(rows: readonly Trade[], event: Trade): Trade[] {
  return upsertBy(rows, event, (row) => row.id).sort((a, b) => toEpochMs(b.updated) - toEpochMs(a.updated));
}
