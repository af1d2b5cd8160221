import { useEffect, useRef, useState } from "react";
import { Link, NavLink } from "react-router";
import { useBusState } from "../bus/BusContext";
import type { StateUi } from "../stateUi";

const BUS_STATE_LABEL = {
  connecting: "Connecting",
  connected: "Connected",
  disconnected: "Disconnected",
} as const;

function SystemMenu({ stateUi }: { stateUi: StateUi | undefined }) {
  const [open, setOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const closeOnOutsideClick = (event: MouseEvent) => {
      if (!menuRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("click", closeOnOutsideClick);
    return () => document.removeEventListener("click", closeOnOutsideClick);
  }, [open]);
  const features = stateUi?.features;
  const externalLinks = [
    {
      label: "API Explorer",
      href: stateUi?.apiExplorerUrl ?? "/api/docs",
      shown: features?.apiExplorer !== false,
    },
    {
      label: "Pub/Sub Inspector",
      href: stateUi?.pubSubInspectorUrl ?? "/api/docs/pubsub-inspector.html",
      shown: features?.pubSubInspector !== false,
    },
  ].filter((link) => link.shown);
  return (
    <div className="system-menu" ref={menuRef}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        System ▾
      </button>
      {open && (
        <ul role="menu" onClick={() => setOpen(false)}>
          <li role="none">
            <Link role="menuitem" to="/about">
              About
            </Link>
          </li>
          {features?.statusPage !== false && (
            <li role="none">
              <Link role="menuitem" to="/status">
                Status
              </Link>
            </li>
          )}
          {externalLinks.map((link) => (
            <li role="none" key={link.label}>
              <a role="menuitem" href={link.href}>
                {link.label}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Header({ stateUi }: { stateUi: StateUi | undefined }) {
  const busState = useBusState();
  return (
    <header className="app-header">
      <div className="header-bar">
        <img src="/assets/img/traderx-icon.png" alt="" className="header-icon" width={28} height={28} />
        <h1>TraderX Sample Trading App{stateUi ? ` (${stateUi.stateId})` : ""}</h1>
        <span className={`bus-state bus-${busState}`} data-testid="bus-state" title="Message bus (/nats-ws)">
          <span className="bus-dot" aria-hidden="true" />
          Bus: {BUS_STATE_LABEL[busState]}
        </span>
        <SystemMenu stateUi={stateUi} />
        <img
          src="/assets/img/FINOS_Icon_White.png"
          alt="FINOS"
          className="finos-logo"
          width={28}
          height={28}
        />
      </div>
      <nav className="tabs" aria-label="Functions">
        <NavLink to="/trade">Trade</NavLink>
        <NavLink to="/account">Account</NavLink>
        <NavLink to="/admin">Admin</NavLink>
      </nav>
    </header>
  );
}
