import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { BusProvider } from "./bus/BusContext";
import { MessageBus, busUrlFor } from "./bus/messageBus";
import "./styles.css";

const bus = new MessageBus(busUrlFor(window.location));
bus.start();

const root = document.querySelector("app-root");
if (!root) throw new Error("index.html lost its <app-root> element");
createRoot(root).render(
  <StrictMode>
    <BusProvider bus={bus}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </BusProvider>
  </StrictMode>,
);
