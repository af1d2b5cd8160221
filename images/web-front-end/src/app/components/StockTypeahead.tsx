import { useEffect, useId, useState } from "react";
import type { Stock } from "../domain/types";

export const stockLabel = (stock: Stock) => `${stock.ticker} - ${stock.companyName}`;

const MAX_SUGGESTIONS = 8;

function matchStocks(stocks: readonly Stock[], query: string): Stock[] {
  const needle = query.trim().toUpperCase();
  if (needle === "") return stocks.slice(0, MAX_SUGGESTIONS);
  const byTicker = stocks.filter((stock) => stock.ticker.startsWith(needle));
  const byName = stocks.filter(
    (stock) => !stock.ticker.startsWith(needle) && stockLabel(stock).toUpperCase().includes(needle),
  );
  return [...byTicker, ...byName].slice(0, MAX_SUGGESTIONS);
}

interface StockTypeaheadProps {
  label: string;
  stocks: readonly Stock[];
  /** The chosen ticker, "" for none. */
  value: string;
  onChange: (ticker: string) => void;
  invalid?: boolean;
}

/** Security picker: suggestions labelled `TICKER - Company`; browser autocomplete stays off (F3). */
export function StockTypeahead({ label, stocks, value, onChange, invalid }: StockTypeaheadProps) {
  const inputId = useId();
  const listId = useId();
  const selected = stocks.find((stock) => stock.ticker === value);
  const [query, setQuery] = useState(selected ? stockLabel(selected) : value);
  const [open, setOpen] = useState(false);
  const [highlight, setHighlight] = useState(0);

  useEffect(() => {
    if (selected) setQuery(stockLabel(selected));
  }, [selected]);

  const suggestions = matchStocks(stocks, query);
  const choose = (stock: Stock) => {
    setQuery(stockLabel(stock));
    setOpen(false);
    onChange(stock.ticker);
  };
  const typed = (text: string) => {
    setQuery(text);
    setOpen(true);
    setHighlight(0);
    const exact = stocks.find(
      (stock) => stock.ticker === text.trim().toUpperCase() || stockLabel(stock) === text,
    );
    onChange(exact ? exact.ticker : "");
  };

  return (
    <div className="typeahead">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        type="text"
        autoComplete="off"
        role="combobox"
        aria-expanded={open && suggestions.length > 0}
        aria-controls={listId}
        aria-invalid={invalid || undefined}
        placeholder="Ticker or company"
        value={query}
        onChange={(event) => typed(event.target.value)}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") setHighlight((h) => Math.min(h + 1, suggestions.length - 1));
          else if (event.key === "ArrowUp") setHighlight((h) => Math.max(h - 1, 0));
          else if (event.key === "Enter" && open && suggestions[highlight]) {
            event.preventDefault();
            choose(suggestions[highlight]);
          } else if (event.key === "Escape") setOpen(false);
        }}
      />
      {open && suggestions.length > 0 && (
        <ul id={listId} role="listbox" className="typeahead-list">
          {suggestions.map((stock, index) => (
            <li
              key={stock.ticker}
              role="option"
              aria-selected={index === highlight}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(stock);
              }}
            >
              {stockLabel(stock)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
