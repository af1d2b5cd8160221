/**
 * Grafana provisioning and the dashboards as code: valid JSON with unique uids in the TraderX folder, the
 * contract's datasource uids and cross-links, every PromQL expression accepted by the real promtool and
 * naming only series that some deployed workload exposes (derived from code, see metric-vocabulary.ts),
 * and every LogQL stream selector using the labels the log pipelines set.
 */
import { parser as logql } from "@grafana/lezer-logql";
import { expect } from "chai";
import { parse, stringify } from "yaml";
import { catalog, clusterPeerAddresses, selectWorkloads } from "../components/catalog";
import { renderEdgeNginxConf } from "../components/edge/nginx-config";
import { Dashboard } from "../components/observability/grafana/dashboard-model";
import { renderDashboardFiles, traderxDashboards } from "../components/observability/grafana/dashboards";
import {
  DASHBOARD_FOLDER,
  renderDashboardProvider,
  renderDatasources,
} from "../components/observability/grafana/provisioning";
import { LOG_STREAM_LABELS } from "../components/observability/loki-config";
import { exposedSeries, metricNames } from "./fixtures/observability/metric-vocabulary";
import { runTool, tempFolder } from "./fixtures/observability/tools";

interface Expression {
  dashboard: string;
  panel: string;
  kind: "prometheus" | "loki";
  expr: string;
}

/** Every query of every dashboard, variable queries included. */
function expressions(dashboards: readonly Dashboard[]): Expression[] {
  return dashboards.flatMap((d) => [
    ...d.panels.flatMap((p) =>
      p.targets.map((t) => ({ dashboard: d.uid, panel: p.title, kind: t.datasource.type, expr: t.expr })),
    ),
    ...(d.templating.list as { name: string; datasource: { type: string }; query: { query?: string } }[])
      .filter((v) => v.datasource.type === "prometheus" && v.query.query)
      .map((v) => ({
        dashboard: d.uid,
        panel: `variable ${v.name}`,
        kind: "prometheus" as const,
        // label_values(<selector>, <label>) is Grafana syntax; its first argument is a PromQL selector.
        expr: v.query.query!.replace(/^label_values\((.*),\s*\w+\)$/, "$1"),
      })),
  ]);
}

/** Grafana variables replaced by values PromQL and LogQL parsers accept. */
function withVariablesResolved(expr: string): string {
  return expr.replace(/\$service/g, ".+");
}

describe("observability: Grafana datasources", () => {
  const datasources = (
    parse(
      renderDatasources({
        prometheus: "http://prometheus:9090/prometheus",
        loki: "http://loki:3100",
        tempo: "http://tempo:3200",
      }),
    ) as {
      datasources: {
        uid: string;
        type: string;
        url: string;
        isDefault?: boolean;
        jsonData: Record<string, unknown>;
      }[];
    }
  ).datasources;
  const byUid = (uid: string) => datasources.find((d) => d.uid === uid)!;

  it("has the fixed uids prometheus (default), loki and tempo with the contract's URLs", () => {
    expect(datasources.map((d) => [d.uid, d.type, d.url])).to.deep.equal([
      ["prometheus", "prometheus", "http://prometheus:9090/prometheus"],
      ["loki", "loki", "http://loki:3100"],
      ["tempo", "tempo", "http://tempo:3200"],
    ]);
    expect(byUid("prometheus").isDefault).to.equal(true);
  });

  it("links traces to logs, logs to traces through trace_id, and the service map to Prometheus", () => {
    const tempo = byUid("tempo").jsonData as Record<string, { datasourceUid: string; query?: string }>;
    expect(tempo.tracesToLogsV2.datasourceUid).to.equal("loki");
    expect(tempo.tracesToLogsV2.query).to.include("$${__trace.traceId}");
    expect(tempo.serviceMap.datasourceUid).to.equal("prometheus");
    const derived = (
      byUid("loki").jsonData as {
        derivedFields: { matcherRegex: string; datasourceUid: string; url: string }[];
      }
    ).derivedFields[0];
    expect(derived.datasourceUid).to.equal("tempo");
    // Grafana's own variables are escaped so provisioning does not read them as environment variables.
    expect(derived.url).to.equal("$${__value.raw}");
    const line = JSON.stringify({ level: "info", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", msg: "x" });
    expect(new RegExp(derived.matcherRegex).exec(line)?.[1]).to.equal("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("provisions the dashboards from one folder into the TraderX folder", () => {
    const provider = (
      parse(renderDashboardProvider("/var/lib/grafana-dashboards")) as {
        providers: { folder: string; type: string; options: { path: string } }[];
      }
    ).providers;
    expect(provider).to.have.length(1);
    expect(provider[0].folder).to.equal(DASHBOARD_FOLDER);
    expect(provider[0].options.path).to.equal("/var/lib/grafana-dashboards");
  });
});

describe("observability: dashboards as code", () => {
  const files = renderDashboardFiles();
  const parsed = Object.values(files).map((text) => JSON.parse(text) as Dashboard);

  it("are valid JSON with unique uids, one file per uid", () => {
    const uids = parsed.map((d) => d.uid);
    expect(new Set(uids).size).to.equal(uids.length);
    expect(Object.keys(files)).to.deep.equal(uids.map((u) => `${u}.json`));
    expect(() => renderDashboardFiles([traderxDashboards[0], traderxDashboards[0]])).to.throw(
      /share the uid/,
    );
  });

  it("cover the required topics", () => {
    expect(parsed.map((d) => d.uid)).to.include.members([
      "traderx-runtime-health",
      "traderx-edge-gateway",
      "traderx-service-red",
      "traderx-message-bus-connectivity",
      "traderx-order-management-observability",
      "traderx-pricing-pipeline-health",
      "traderx-logs-errors",
      "traderx-database-health",
    ]);
    for (const d of parsed) expect(d.title, d.uid).to.match(/^TraderX /);
  });

  it("contain what the contract's smoke checks search for (6.2 check 10, 9)", () => {
    const all = Object.values(files).join("\n");
    expect(all).to.include("traderx_messagebus_connected");
    expect(all).to.match(/traderx_orders_open_total|traderx_order_events_total/);
    expect(all).to.match(/traderx_order_match_latency_seconds_bucket|http_server_requests_seconds_count/);
  });

  it("lay panels out without overlap inside the 24-column grid", () => {
    for (const d of parsed) {
      const cells = new Set<string>();
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w, `${d.uid}/${p.title}`).to.be.at.most(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            const cell = `${x},${y}`;
            expect(cells.has(cell), `${d.uid}/${p.title} overlaps at ${cell}`).to.equal(false);
            cells.add(cell);
          }
        }
      }
    }
  });

  it("have PromQL that the official grammar parses and real promtool accepts", async () => {
    const prometheusExpressions = expressions(traderxDashboards).filter((e) => e.kind === "prometheus");
    for (const e of prometheusExpressions) {
      expect(
        metricNames(withVariablesResolved(e.expr)).errors,
        `${e.dashboard}/${e.panel}: ${e.expr}`,
      ).to.deep.equal([]);
    }
    const folder = await tempFolder("traderx-dashboard-promql-");
    try {
      const rules = {
        groups: [
          {
            name: "dashboard-expressions",
            rules: prometheusExpressions.map((e, i) => ({
              record: `dashboard:expression_${i}`,
              expr: withVariablesResolved(e.expr),
            })),
          },
        ],
      };
      const path = await folder.write("dashboards.rules.yml", stringify(rules));
      const result = await runTool("promtool", ["check", "rules", path]);
      expect(result.ok, result.output).to.equal(true);
    } finally {
      await folder.cleanup();
    }
  });

  it("name only series that a deployed workload or exporter exposes, derived from code", async () => {
    const exposed = await exposedSeries(selectWorkloads({ observability: true }));
    const missing: string[] = [];
    for (const e of expressions(traderxDashboards).filter((x) => x.kind === "prometheus")) {
      for (const name of metricNames(withVariablesResolved(e.expr)).names) {
        if (!exposed.has(name)) missing.push(`${name} (${e.dashboard} / ${e.panel})`);
      }
    }
    expect(missing, "series no workload exposes").to.deep.equal([]);
  });

  it("have LogQL that the official LogQL grammar parses", () => {
    const lokiExpressions = expressions(traderxDashboards).filter((e) => e.kind === "loki");
    expect(lokiExpressions.length).to.be.greaterThan(0);
    for (const e of lokiExpressions) {
      const errors: number[] = [];
      logql.parse(withVariablesResolved(e.expr)).iterate({
        enter: (node) => {
          if (node.type.isError) errors.push(node.from);
        },
      });
      expect(errors, `${e.dashboard}/${e.panel}: ${e.expr}`).to.deep.equal([]);
    }
    // The grammar does reject broken LogQL, so the check above means something.
    let brokenErrors = 0;
    logql
      .parse('{service="x" | json')
      .iterate({ enter: (node) => void (brokenErrors += node.type.isError ? 1 : 0) });
    expect(brokenErrors).to.be.greaterThan(0);
  });

  it("select Loki streams only by the labels the log pipelines set, with catalog workload names", () => {
    const streamLabels = new Set(Object.values(LOG_STREAM_LABELS).map((l) => l.name));
    const workloads = new Set(catalog.map((w) => w.name));
    for (const e of expressions(traderxDashboards).filter((x) => x.kind === "loki")) {
      const selectors = [...e.expr.matchAll(/\{([^{}]*)\}/g)]
        .map((m) => m[1])
        .filter((s) => /[=~]\s*"/.test(s));
      expect(selectors.length, e.expr).to.be.greaterThan(0);
      for (const selector of selectors) {
        for (const [, label, op, value] of selector.matchAll(/(\w+)\s*(=~|!=|!~|=)\s*"([^"]*)"/g)) {
          if (label.startsWith("__") || label === "level" || label === "status" || label === "route")
            continue;
          expect(streamLabels, `${e.dashboard}/${e.panel}: label ${label}`).to.include(label);
          if (label === "service" && value !== "$service") {
            const names = op === "=~" ? value.split("|") : [value];
            for (const name of names) expect(workloads, `${e.dashboard}/${e.panel}`).to.include(name);
          }
        }
      }
    }
  });

  it("read only fields the edge actually writes to its JSON access log", () => {
    const deployed = selectWorkloads({ observability: true });
    const nginx = renderEdgeNginxConf({
      workloads: deployed,
      peers: clusterPeerAddresses(deployed, "http://localhost:8080"),
      listenPort: 8080,
      runtimeDir: "/tmp",
    });
    const format = /log_format json escape=json '(.*)';/.exec(nginx);
    expect(format, "edge log_format").to.not.equal(null);
    const fields = Object.keys(JSON.parse(format![1].replace(/\$\w+/g, "x")) as Record<string, string>);
    const edge = expressions(traderxDashboards).filter(
      (e) => e.kind === "loki" && e.expr.includes('service="edge-proxy"'),
    );
    expect(edge.length).to.be.greaterThan(0);
    // Fields are read by `unwrap <field>`, `line_format "{{.<field>}}"` and label filters `| <field> =~`.
    const fieldReads = [/unwrap (\w+)/g, /\{\{\.(\w+)\}\}/g, /\| (\w+) =~/g];
    for (const e of edge) {
      for (const pattern of fieldReads) {
        for (const [, field] of e.expr.matchAll(pattern)) expect(fields, e.expr).to.include(field);
      }
    }
  });
});
