import { createContext, useCallback, useContext, useEffect, useState } from "react";
import type { ReactNode } from "react";
import { listPrices } from "./api/traderx";
import { messageOf } from "./api/http";
import { useSubscriptions } from "./bus/BusContext";
import { applyPrices, type PriceBook } from "./domain/prices";
import type { PriceTick } from "./domain/types";

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Load `fetcher` whenever `deps` change; the result of an outdated load is dropped. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    fetcher().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: messageOf(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface ActionResult {
  kind: "success" | "error";
  text: string;
}

/** A user action with progress and a success or failure banner. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | undefined>();
  const run = useCallback(async (action: () => Promise<string>): Promise<boolean> => {
    setBusy(true);
    setResult(undefined);
    try {
      setResult({ kind: "success", text: await action() });
      return true;
    } catch (error) {
      setResult({ kind: "error", text: messageOf(error) });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, result, run, clear: () => setResult(undefined) };
}

/**
 * Live prices: the REST snapshot and the `pricing.*` stream are requested together and both go
 * through the newest-`asOf` rule (contract 4.2).
 */
function useLivePriceBook(): PriceBook {
  const [book, setBook] = useState<PriceBook>({});
  useSubscriptions(["pricing.*"], (payload) =>
    setBook((current) => applyPrices(current, [payload as PriceTick])),
  );
  useEffect(() => {
    let current = true;
    listPrices().then(
      (ticks) => current && setBook((held) => applyPrices(held, ticks)),
      () => undefined, // the stream still fills the book
    );
    return () => {
      current = false;
    };
  }, []);
  return book;
}

/** A clock for relative times ("5 seconds ago"), ticking every `periodMs`. */
export function useNow(periodMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

const PriceBookContext = createContext<PriceBook>({});

/** One `pricing.*` subscription shared by every view of a page. */
export function PriceBookProvider({ children }: { children: ReactNode }) {
  return <PriceBookContext.Provider value={useLivePriceBook()}>{children}</PriceBookContext.Provider>;
}

export function usePriceBook(): PriceBook {
  return useContext(PriceBookContext);
}
