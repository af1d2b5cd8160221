import type { ReactNode } from "react";

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-align numbers so digits line up. */
  numeric?: boolean;
  className?: (row: T) => string | undefined;
}

/** ACCOUNT in All Accounts mode: the display name, cut short with an ellipsis (full name on hover). */
export function accountNameColumn<T extends { accountId: number }>(
  names: ReadonlyMap<number, string>,
): Column<T> {
  const nameOf = (row: T) => names.get(row.accountId) ?? String(row.accountId);
  return {
    header: "ACCOUNT",
    cell: (row) => <span title={nameOf(row)}>{nameOf(row)}</span>,
    className: () => "account-name",
  };
}

interface DataTableProps<T> {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty: string;
  onRowClick?: (row: T) => void;
  testId?: string;
}

/** A blotter grid; it scrolls sideways inside its panel rather than squeezing columns below 700 px. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
  onRowClick,
  testId,
}: DataTableProps<T>) {
  return (
    <div className="table-scroll">
      <table className="grid" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.numeric ? "num" : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr
                key={rowKey(row)}
                data-row-key={rowKey(row)}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                className={onRowClick ? "clickable" : undefined}
              >
                {columns.map((column) => (
                  <td
                    key={column.header}
                    className={
                      [column.numeric ? "num" : "", column.className?.(row) ?? ""].join(" ").trim() ||
                      undefined
                    }
                  >
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
