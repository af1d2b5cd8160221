/** Replace the row with the same key, or put the new row first. */
export function upsertBy<T>(rows: readonly T[], row: T, keyOf: (row: T) => string | number): T[] {
  const key = keyOf(row);
  const index = rows.findIndex((existing) => keyOf(existing) === key);
  if (index < 0) return [row, ...rows];
  const next = rows.slice();
  next[index] = row;
  return next;
}
