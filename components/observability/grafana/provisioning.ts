/**
 * Grafana provisioning for the pinned `grafana/grafana:12.2.1`: datasources and the dashboard provider.
 *
 * - Datasource uids are fixed (`prometheus`, `loki`, `tempo`) because contract 6.2 queries them by uid.
 * - Traces and logs are cross-linked both ways through the trace id: Tempo's `tracesToLogsV2` opens the
 *   Loki lines of a span's service that carry its `trace_id`; Loki's derived field turns the `trace_id`
 *   of a JSON log line (written by the services' logger) into a Tempo link. Tempo's service map and span
 *   metrics come from Prometheus, where Tempo's metrics generator writes them.
 * - Grafana expands `$VAR` and `${VAR}` in provisioning files from its environment, so Grafana's own
 *   `${__…}` template variables are written `$${__…}`.
 */
import { stringify } from "yaml";

export const DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki", tempo: "tempo" } as const;
export const DASHBOARD_FOLDER = "TraderX";

export interface DatasourceUrls {
  /** Prometheus including its route prefix, e.g. `http://prometheus:9090/prometheus`. */
  prometheus: string;
  loki: string;
  tempo: string;
}

/** Escapes a Grafana template expression so that provisioning does not expand it as an env variable. */
function literal(text: string): string {
  return text.replace(/\$\{/g, () => "$${");
}

export function renderDatasources(urls: DatasourceUrls): string {
  return stringify({
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: DATASOURCE_UIDS.prometheus,
        type: "prometheus",
        access: "proxy",
        url: urls.prometheus,
        isDefault: true,
        editable: false,
        jsonData: {
          httpMethod: "POST",
          timeInterval: "15s",
          exemplarTraceIdDestinations: [{ name: "trace_id", datasourceUid: DATASOURCE_UIDS.tempo }],
        },
      },
      {
        name: "Loki",
        uid: DATASOURCE_UIDS.loki,
        type: "loki",
        access: "proxy",
        url: urls.loki,
        editable: false,
        jsonData: {
          maxLines: 1000,
          derivedFields: [
            {
              name: "TraceID",
              matcherType: "regex",
              matcherRegex: '"trace_id":"([0-9a-f]{32})"',
              datasourceUid: DATASOURCE_UIDS.tempo,
              url: literal("${__value.raw}"),
              urlDisplayLabel: "Open trace in Tempo",
            },
          ],
        },
      },
      {
        name: "Tempo",
        uid: DATASOURCE_UIDS.tempo,
        type: "tempo",
        access: "proxy",
        url: urls.tempo,
        editable: false,
        jsonData: {
          tracesToLogsV2: {
            datasourceUid: DATASOURCE_UIDS.loki,
            spanStartTimeShift: "-5m",
            spanEndTimeShift: "5m",
            customQuery: true,
            query: literal('{service="${__span.tags["service.name"]}"} |= "${__trace.traceId}"'),
          },
          tracesToMetrics: { datasourceUid: DATASOURCE_UIDS.prometheus },
          serviceMap: { datasourceUid: DATASOURCE_UIDS.prometheus },
          nodeGraph: { enabled: true },
          lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki },
          search: { hide: false },
        },
      },
    ],
  });
}

/** The file provider that loads every dashboard JSON in `dashboardsDir` into the folder `TraderX`. */
export function renderDashboardProvider(dashboardsDir: string): string {
  return stringify({
    apiVersion: 1,
    providers: [
      {
        name: "TraderX Dashboards",
        orgId: 1,
        folder: DASHBOARD_FOLDER,
        folderUid: "traderx",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: dashboardsDir },
      },
    ],
  });
}
