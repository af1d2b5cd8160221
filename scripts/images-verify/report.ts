/** The printed report of an image verification: one row per image, the totals, then every failure. */
import { CHECK_NAMES } from "./container-checks";
import { hasFailure, type ImageReport } from "./verify";

/** Target of a warm rebuild of everything, as a share of the first build. */
export const WARM_REBUILD_TARGET_RATIO = 0.1;

export interface ReportContext {
  baseImage: string;
  baseSizeBytes: number;
  /** Whether the first build ran without the layer cache. */
  cold: boolean;
  /** Workloads not verified, with the reason (e.g. folder missing). */
  skipped: { name: string; reason: string }[];
}

const megabytes = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / 1e6).toFixed(1));
const seconds = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(1));

function cell(text: string, width: number): string {
  return text.padEnd(width);
}

export function renderReport(reports: ImageReport[], context: ReportContext): string {
  const lines: string[] = [];
  const buildLabel = context.cold ? "cold build s" : "build s";
  lines.push(
    `images:verify: base ${context.baseImage} (${megabytes(context.baseSizeBytes)} MB); ` +
      (context.cold
        ? "first build without the layer cache (cold)"
        : "first build with the layer cache as found (pass --cold for cold figures)"),
  );
  const header = [
    cell("image", 20),
    cell("size MB", 8),
    cell("app MB", 9),
    cell(buildLabel, 13),
    cell("warm rebuild s", 15),
    ...CHECK_NAMES.map((name) => cell(name, name.length + 1)),
  ];
  lines.push(header.join(" "));
  for (const report of reports) {
    lines.push(
      [
        cell(report.name, 20),
        cell(megabytes(report.sizeBytes), 8),
        cell(megabytes(report.appLayerBytes), 9),
        cell(seconds(report.buildSeconds), 13),
        cell(seconds(report.rebuildSeconds), 15),
        ...CHECK_NAMES.map((name) => {
          const outcome = report.checks[name];
          return cell(outcome === undefined ? "-" : outcome.ok ? "ok" : "FAIL", name.length + 1);
        }),
      ].join(" "),
    );
  }
  const rebuilt = reports.filter((r) => r.buildSeconds !== undefined && r.rebuildSeconds !== undefined);
  if (rebuilt.length > 0) {
    const first = rebuilt.reduce((sum, r) => sum + r.buildSeconds!, 0);
    const warm = rebuilt.reduce((sum, r) => sum + r.rebuildSeconds!, 0);
    const ratio = warm / first;
    lines.push(
      `all ${rebuilt.length} images: ${buildLabel.replace(" s", "")} ${first.toFixed(1)} s, warm rebuild ${warm.toFixed(1)} s ` +
        `= ${(ratio * 100).toFixed(1)}% (target < ${WARM_REBUILD_TARGET_RATIO * 100}%` +
        `${context.cold ? "" : ", meaningful only with --cold"})`,
    );
  }
  for (const { name, reason } of context.skipped) lines.push(`${name}: not yet built: ${reason}`);
  for (const report of reports) {
    for (const name of CHECK_NAMES) {
      const outcome = report.checks[name];
      if (outcome && !outcome.ok) lines.push(`FAIL ${report.name} ${name}: ${outcome.detail}`);
    }
  }
  return lines.join("\n");
}

export function anyFailure(reports: ImageReport[]): boolean {
  return reports.some(hasFailure);
}
