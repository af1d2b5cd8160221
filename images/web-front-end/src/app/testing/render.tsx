import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { BusProvider } from "../bus/BusContext";
import { MessageBus } from "../bus/messageBus";

/**
 * Renders a component the way the app does, inside a router and a bus provider. The bus is never
 * started: component tests exercise REST behaviour; the bus has its own test against a real nats-server.
 */
export function renderInApp(element: ReactElement, path = "/") {
  const bus = new MessageBus("ws://127.0.0.1:1/nats-ws");
  return render(
    <BusProvider bus={bus}>
      <MemoryRouter initialEntries={[path]}>{element}</MemoryRouter>
    </BusProvider>,
  );
}

export const SEED_ACCOUNTS = [
  { id: 10031, displayName: "Internal Trading Book" },
  { id: 11413, displayName: "Private Clients Fund TTXX" },
  { id: 22214, displayName: "Test Account 20" },
  { id: 42422, displayName: "Algo Execution Partners" },
  { id: 44044, displayName: "Trading Account 1" },
  { id: 52355, displayName: "Big Corporate Fund" },
  { id: 62654, displayName: "Hedge Fund TXY1" },
];

export const SOME_STOCKS = [
  { ticker: "IBM", companyName: "IBM" },
  { ticker: "MSFT", companyName: "Microsoft" },
  { ticker: "MS", companyName: "Morgan Stanley" },
];
