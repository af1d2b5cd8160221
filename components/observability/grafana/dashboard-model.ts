/**
 * A small typed model of Grafana dashboard JSON (schemaVersion 39+, as Grafana 12 still loads it) and the
 * helpers the TraderX dashboards are written with. Panels are laid out in rows of `width` units (24 per
 * row) by `dashboard()`, so a dashboard is a plain list of panels.
 */
import { DATASOURCE_UIDS } from "./provisioning";

export type DatasourceKind = "prometheus" | "loki";

export interface QueryTarget {
  refId: string;
  datasource: { type: DatasourceKind; uid: string };
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  queryType?: "range" | "instant";
}

export interface Panel {
  id: number;
  type: "timeseries" | "stat" | "table" | "logs" | "bargauge";
  title: string;
  description?: string;
  datasource: { type: DatasourceKind; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: QueryTarget[];
  fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
  options: Record<string, unknown>;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: "browser";
  schemaVersion: number;
  version: number;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: unknown[] };
  panels: Panel[];
  editable: boolean;
}

/** A query: PromQL for the `prometheus` datasource, LogQL for `loki`. */
export interface Query {
  kind: DatasourceKind;
  expr: string;
  legend?: string;
  instant?: boolean;
}

export const prom = (expr: string, legend?: string): Query => ({ kind: "prometheus", expr, legend });
export const promInstant = (expr: string, legend?: string): Query => ({
  kind: "prometheus",
  expr,
  legend,
  instant: true,
});
export const loki = (expr: string, legend?: string): Query => ({ kind: "loki", expr, legend });

/** A panel before layout: what it shows and how wide it is. */
export interface PanelSpec {
  type: Panel["type"];
  title: string;
  description?: string;
  queries: Query[];
  width: number;
  height: number;
  unit?: string;
  min?: number;
  max?: number;
  /** Value mappings and thresholds for stat and table panels (`0 = DOWN` style). */
  upDown?: boolean;
}

function panelSpec(type: Panel["type"], defaults: Partial<PanelSpec>) {
  return (title: string, queries: Query[], more: Partial<PanelSpec> = {}): PanelSpec => ({
    type,
    title,
    queries,
    width: 12,
    height: 8,
    ...defaults,
    ...more,
  });
}

export const timeseries = panelSpec("timeseries", {});
export const stat = panelSpec("stat", { width: 6, height: 4 });
export const table = panelSpec("table", { width: 24 });
export const logs = panelSpec("logs", { width: 24, height: 10 });

const UP_DOWN_MAPPINGS = [
  {
    type: "value",
    options: { "0": { text: "DOWN", color: "red", index: 0 }, "1": { text: "UP", color: "green", index: 1 } },
  },
];

function fieldDefaults(spec: PanelSpec): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  if (spec.unit) defaults.unit = spec.unit;
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  if (spec.upDown) {
    defaults.mappings = UP_DOWN_MAPPINGS;
    defaults.thresholds = {
      mode: "absolute",
      steps: [
        { color: "red", value: null },
        { color: "green", value: 1 },
      ],
    };
    defaults.color = { mode: "thresholds" };
  }
  return defaults;
}

function panelOptions(type: Panel["type"]): Record<string, unknown> {
  switch (type) {
    case "logs":
      return { showTime: true, wrapLogMessage: true, sortOrder: "Descending", enableLogDetails: true };
    case "stat":
      return {
        reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
        colorMode: "background",
      };
    case "table":
      return { showHeader: true };
    default:
      return { legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] } };
  }
}

function toTarget(query: Query, index: number): QueryTarget {
  const datasource = { type: query.kind, uid: DATASOURCE_UIDS[query.kind] };
  const refId = String.fromCharCode(65 + index);
  const target: QueryTarget = { refId, datasource, expr: query.expr };
  if (query.legend) target.legendFormat = query.legend;
  if (query.instant) {
    if (query.kind === "prometheus") {
      target.instant = true;
      target.range = false;
    } else {
      target.queryType = "instant";
    }
  }
  return target;
}

/** A dashboard variable listing the values of a label. */
export function labelVariable(name: string, kind: DatasourceKind, label: string, metricOrStream: string) {
  const datasource = { type: kind, uid: DATASOURCE_UIDS[kind] };
  const query =
    kind === "prometheus"
      ? { query: `label_values(${metricOrStream}, ${label})`, refId: "variable" }
      : { type: 1, label, stream: metricOrStream, refId: "variable" };
  return {
    name,
    label: name,
    type: "query",
    datasource,
    query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: ".+",
    current: { text: "All", value: "$__all" },
    sort: 1,
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
  variables?: unknown[];
}

/** Lays the panels out left to right, wrapping at 24 units, and numbers them. */
export function dashboard(spec: DashboardSpec): Dashboard {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = spec.panels.map((p, index): Panel => {
    if (x + p.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.width, h: p.height };
    x += p.width;
    rowHeight = Math.max(rowHeight, p.height);
    const kind = p.queries[0]?.kind ?? "prometheus";
    return {
      id: index + 1,
      type: p.type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: { type: kind, uid: DATASOURCE_UIDS[kind] },
      gridPos,
      targets: p.queries.map(toTarget),
      fieldConfig: { defaults: fieldDefaults(p), overrides: [] },
      options: panelOptions(p.type),
    };
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ["traderx"],
    timezone: "browser",
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    templating: { list: spec.variables ?? [] },
    panels,
    editable: false,
  };
}
