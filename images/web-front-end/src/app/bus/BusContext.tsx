import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from "react";
import type { ReactNode } from "react";
import type { BusState, MessageBus, MessageHandler } from "./messageBus";

const BusContext = createContext<MessageBus | null>(null);

export function BusProvider({ bus, children }: { bus: MessageBus; children: ReactNode }) {
  return <BusContext.Provider value={bus}>{children}</BusContext.Provider>;
}

function useBus(): MessageBus {
  const bus = useContext(BusContext);
  if (!bus) throw new Error("useBus needs a <BusProvider>");
  return bus;
}

export function useBusState(): BusState {
  const bus = useBus();
  return useSyncExternalStore(
    (onChange) => bus.onStateChange(onChange),
    () => bus.state,
  );
}

/**
 * Subscribe to `subjects` for as long as the component shows them. The handler may change between
 * renders without re-subscribing; a different subject list re-subscribes.
 */
export function useSubscriptions(subjects: readonly string[], handler: MessageHandler): void {
  const bus = useBus();
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  const key = subjects.join("\n");
  useEffect(() => {
    if (key === "") return;
    const unsubscribes = key
      .split("\n")
      .map((subject) => bus.subscribe(subject, (payload, actual) => handlerRef.current(payload, actual)));
    return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
  }, [bus, key]);
}
