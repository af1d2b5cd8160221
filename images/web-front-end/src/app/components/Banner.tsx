import type { ActionResult } from "../hooks";

/** Success or failure of the last action; failures carry the server's own text. */
export function Banner({ result, onClose }: { result: ActionResult | undefined; onClose?: () => void }) {
  if (!result) return null;
  return (
    <div className={`banner banner-${result.kind}`} role={result.kind === "error" ? "alert" : "status"}>
      <span>{result.text}</span>
      {onClose && (
        <button type="button" className="banner-close" aria-label="Dismiss" onClick={onClose}>
          ×
        </button>
      )}
    </div>
  );
}

export function Progress({ label }: { label: string }) {
  return (
    <span className="progress" role="progressbar" aria-label={label}>
      <span className="spinner" aria-hidden="true" />
      {label}
    </span>
  );
}
