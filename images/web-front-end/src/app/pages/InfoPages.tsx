import { Link } from "react-router";
import type { StateUi } from "../stateUi";

export function AboutPage({ stateUi }: { stateUi: StateUi | undefined }) {
  return (
    <section className="panel about">
      <h2>About TraderX</h2>
      <p>
        TraderX is the FINOS sample trading application: accounts, a market trade ticket, limit orders with a
        matcher, live prices, and trade and position blotters fed over NATS.
      </p>
      {stateUi && (
        <dl>
          <dt>State</dt>
          <dd>
            {stateUi.stateId} — {stateUi.stateTitle}
          </dd>
          <dt>Track</dt>
          <dd>{stateUi.stateTrack}</dd>
          <dt>Source branch</dt>
          <dd>{stateUi.sourceBranch}</dd>
          <dt>Built</dt>
          <dd>{stateUi.generatedAtUtc}</dd>
          <dt>Earlier states</dt>
          <dd>
            <ul>
              {stateUi.previousStates.map((state) => (
                <li key={state.stateId}>
                  {state.stateId} — {state.title}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      )}
    </section>
  );
}

export function NotFoundPage() {
  return (
    <section className="panel">
      <h2>Page not found</h2>
      <p>
        There is nothing at this address. Go to the <Link to="/trade">Trade</Link> page.
      </p>
    </section>
  );
}
