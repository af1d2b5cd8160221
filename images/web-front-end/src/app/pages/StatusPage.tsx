import { useCallback, useEffect, useState } from "react";
import { Progress } from "../components/Banner";
import { DataTable } from "../components/DataTable";
import type { StateUi, StatusCheck } from "../stateUi";

interface CheckResult {
  check: StatusCheck;
  status: number | undefined;
  ok: boolean;
  error?: string;
  elapsedMs: number;
}

async function runStatusCheck(check: StatusCheck): Promise<CheckResult> {
  const started = performance.now();
  try {
    const response = await fetch(check.url, { method: check.method, cache: "no-store" });
    await response.body?.cancel();
    const elapsedMs = Math.round(performance.now() - started);
    return { check, status: response.status, ok: response.status === check.expectStatus, elapsedMs };
  } catch (error) {
    const elapsedMs = Math.round(performance.now() - started);
    return { check, status: undefined, ok: false, error: String(error), elapsedMs };
  }
}

/** Runs every check of `state-ui.json` (contract 4.5) and shows which ones answer as expected. */
export function StatusPage({ stateUi }: { stateUi: StateUi | undefined }) {
  const [results, setResults] = useState<CheckResult[] | undefined>();
  const [running, setRunning] = useState(false);
  const run = useCallback(async () => {
    if (!stateUi) return;
    setRunning(true);
    setResults(await Promise.all(stateUi.statusChecks.map(runStatusCheck)));
    setRunning(false);
  }, [stateUi]);
  useEffect(() => {
    void run();
  }, [run]);
  const failing = results?.filter((result) => !result.ok).length ?? 0;
  return (
    <section className="panel" aria-label="System status">
      <h2>System status</h2>
      <p>
        <button type="button" onClick={() => void run()} disabled={running || !stateUi}>
          Run checks again
        </button>{" "}
        {running && <Progress label="Checking…" />}
        {results && !running && (
          <span className={failing === 0 ? "gain" : "loss"} data-testid="status-summary">
            {failing === 0
              ? `All ${results.length} checks passed`
              : `${failing} of ${results.length} checks failing`}
          </span>
        )}
      </p>
      <DataTable
        caption="Status checks"
        testId="status-checks"
        columns={[
          { header: "CHECK", cell: (r: CheckResult) => r.check.label },
          { header: "URL", cell: (r: CheckResult) => <code>{r.check.url}</code> },
          { header: "EXPECTED", cell: (r: CheckResult) => String(r.check.expectStatus), numeric: true },
          {
            header: "GOT",
            cell: (r: CheckResult) => (r.status === undefined ? r.error : String(r.status)),
            numeric: true,
          },
          { header: "TIME", cell: (r: CheckResult) => `${r.elapsedMs} ms`, numeric: true },
          {
            header: "RESULT",
            cell: (r: CheckResult) => (r.ok ? "OK" : "FAIL"),
            className: (r: CheckResult) => (r.ok ? "status-ok" : "status-fail"),
          },
        ]}
        rows={results ?? []}
        rowKey={(r) => r.check.id}
        empty={running ? "Running checks…" : "No checks."}
      />
    </section>
  );
}
