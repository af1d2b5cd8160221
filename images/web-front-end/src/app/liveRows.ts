import { useEffect, useRef, useState } from "react";
import { messageOf } from "./api/http";
import { useSubscriptions } from "./bus/BusContext";

interface LiveRowsOptions<T> {
  /** Changing the key starts over with an empty grid (e.g. another account). */
  key: string;
  load: () => Promise<T[]>;
  subjects: readonly string[];
  /** Applies one bus event; without it every event triggers a REST refetch instead. */
  apply?: (rows: T[], event: unknown) => T[];
}

export interface LiveRows<T> {
  rows: T[];
  loading: boolean;
  error: string | undefined;
}

const REFETCH_DELAY_MS = 200;

/**
 * REST bootstrap, then push (F2): the subscription starts together with the request; events that
 * arrive before the REST answer are kept and applied on top of it, so none is lost in between.
 */
export function useLiveRows<T>({ key, load, subjects, apply }: LiveRowsOptions<T>): LiveRows<T> {
  const [state, setState] = useState<LiveRows<T>>({ rows: [], loading: true, error: undefined });
  const [generation, setGeneration] = useState(0);
  const pendingEvents = useRef<unknown[] | undefined>([]);
  const loadedKey = useRef<string | undefined>(undefined);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const applyRef = useRef(apply);
  applyRef.current = apply;
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    pendingEvents.current = [];
    const sameKey = loadedKey.current === key;
    setState((previous) => ({ rows: sameKey ? previous.rows : [], loading: true, error: undefined }));
    loadRef.current().then(
      (rows) => {
        if (!current) return;
        const events = pendingEvents.current ?? [];
        pendingEvents.current = undefined;
        loadedKey.current = key;
        const applyEvent = applyRef.current;
        setState({
          rows: applyEvent ? events.reduce(applyEvent, rows) : rows,
          loading: false,
          error: undefined,
        });
      },
      (error: unknown) => {
        if (!current) return;
        pendingEvents.current = undefined;
        setState((previous) => ({ ...previous, loading: false, error: messageOf(error) }));
      },
    );
    return () => {
      current = false;
    };
  }, [key, generation]);

  useEffect(() => () => clearTimeout(refetchTimer.current), []);

  useSubscriptions(subjects, (event) => {
    const applyEvent = applyRef.current;
    if (!applyEvent) {
      clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => setGeneration((n) => n + 1), REFETCH_DELAY_MS);
    } else if (pendingEvents.current) {
      pendingEvents.current.push(event);
    } else {
      setState((previous) => ({ ...previous, rows: applyEvent(previous.rows, event) }));
    }
  });
  return state;
}
