/**
 * The smoke test (contract 6.2 and the inherited checks of 6.3) against a base URL. Each check names the
 * workloads and tools it needs; a check the running profile cannot serve (Grafana and Loki locally,
 * kubectl outside a cluster) is skipped with the reason, never passed silently.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { catalog } from "../../components/catalog";
import { Subscriber, subscribe } from "../lib/bus";
import { HttpReply, eventually, postJson, request } from "../lib/http";
import { RuntimeProfile, profileHas, runningWorkloads } from "../lib/profile";
import { gateTimingFromEnv, readinessTargets, runReadinessGate } from "../readiness/gate";

export interface SmokeContext {
  baseUrl: string;
  profile: RuntimeProfile;
  /** kubectl context and namespace, when the target is a cluster. */
  kube?: { context: string; namespace: string };
  /** The broker's monitoring URL, when this machine can reach it (the local runtime). */
  natsMonitorUrl?: string;
}

export interface SmokeCheck {
  id: string;
  title: string;
  /** Workloads that must be running for the check to apply. */
  needs?: string[];
  needsKubectl?: boolean;
  /** A reason this check never applies here, e.g. a check of another implementation's source layout. */
  notApplicable?: string;
  /** Why the check cannot run against this target, when that depends on the context. */
  unavailable?(ctx: SmokeContext): string | undefined;
  run(ctx: SmokeContext): Promise<void>;
}

const ORIGIN = "http://localhost:8080";
/** The services whose actuator endpoints and Micrometer-style metrics the contract checks (6.2 #11-13). */
const ACTUATOR_JOB = "traderx-spring-boot-actuator";
const actuatorServices = () => catalog.filter((w) => w.metrics?.job === ACTUATOR_JOB).map((w) => w.name);

/**
 * Grafana's admin login for the checks that go through its API: admin/admin as in contract 7.3, unless
 * the stack set `traderx:grafanaAdminPassword`, whose value the caller passes in TRADERX_GRAFANA_ADMIN_PASSWORD.
 */
const GRAFANA_PASSWORD = process.env.TRADERX_GRAFANA_ADMIN_PASSWORD || "admin";
const GRAFANA_AUTH = {
  authorization: `Basic ${Buffer.from(`admin:${GRAFANA_PASSWORD}`).toString("base64")}`,
};

/** A Grafana `/api/ds/query` of one query, as the reference test sends it. */
function grafanaQuery(ctx: SmokeContext, from: string, query: Record<string, unknown>): Promise<HttpReply> {
  return request(url(ctx, "/grafana/api/ds/query"), {
    method: "POST",
    headers: { "content-type": "application/json", ...GRAFANA_AUTH },
    body: JSON.stringify({ from, to: "now", queries: [{ refId: "A", ...query }] }),
  });
}

const url = (ctx: SmokeContext, path: string) => `${ctx.baseUrl.replace(/\/+$/, "")}${path}`;
const get = (ctx: SmokeContext, path: string, headers: Record<string, string> = {}) =>
  request(url(ctx, path), { headers });

function expectStatus(reply: HttpReply, status: number, what: string): void {
  assert.equal(
    reply.status,
    status,
    `${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 200)}`,
  );
}

/** GET through the edge and assert the status. */
async function expectGet(ctx: SmokeContext, path: string, status = 200): Promise<HttpReply> {
  const reply = await get(ctx, path);
  expectStatus(reply, status, `GET ${path}`);
  return reply;
}

async function getJson<T>(ctx: SmokeContext, path: string): Promise<T> {
  const reply = await get(ctx, path);
  expectStatus(reply, 200, `GET ${path}`);
  return reply.json<T>();
}

/** ACAO absent (same origin) or `*` or the origin; `required` when the service has no same-origin exemption. */
function expectCors(reply: HttpReply, what: string, required = false): void {
  const acao = reply.headers.get("access-control-allow-origin");
  if (acao === null && !required) return;
  assert.ok(acao === "*" || acao === ORIGIN, `${what}: Access-Control-Allow-Origin is ${acao ?? "absent"}`);
}

async function prometheusQuery(ctx: SmokeContext, query: string): Promise<unknown[]> {
  const reply = await get(ctx, `/prometheus/api/v1/query?query=${encodeURIComponent(query)}`);
  expectStatus(reply, 200, `Prometheus query ${query}`);
  const body = reply.json<{ status: string; data: { result: unknown[] } }>();
  assert.equal(body.status, "success", `Prometheus query ${query}: ${reply.text.slice(0, 200)}`);
  return body.data.result;
}

const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

async function withBus<T>(ctx: SmokeContext, subjects: string[], body: (bus: Subscriber) => Promise<T>) {
  const bus = await subscribe(ctx.baseUrl, subjects);
  try {
    return await body(bus);
  } finally {
    await bus.close();
  }
}

interface Order {
  orderId: string;
  status: string;
  remainingQuantity: number;
  security: string;
}

const createOrder = async (ctx: SmokeContext, order: Record<string, unknown>): Promise<Order> => {
  const reply = await postJson(url(ctx, "/order-matcher/orders"), order);
  expectStatus(reply, 201, `POST /order-matcher/orders ${JSON.stringify(order)}`);
  const created = reply.json<Order>();
  assert.match(created.orderId, /^ord-/, "created order has an orderId");
  return created;
};

const orderAction = async (
  ctx: SmokeContext,
  orderId: string,
  action: "cancel" | "force-fill",
): Promise<Order> => {
  const reply = await postJson(url(ctx, `/order-matcher/orders/${orderId}/${action}`), {});
  expectStatus(reply, 200, `POST ${action} ${orderId}`);
  return reply.json<Order>();
};

const orderEvent =
  (orderId: string, status: string, subject: string) =>
  (m: { subject: string; payload: Record<string, unknown> }) =>
    m.subject === subject && m.payload.orderId === orderId && m.payload.status === status;

export const smokeChecks: SmokeCheck[] = [
  {
    id: "6.2.1",
    title: "readiness gate",
    async run(ctx) {
      const targets = readinessTargets(runningWorkloads(ctx.profile), ctx.baseUrl);
      const result = await runReadinessGate(targets, gateTimingFromEnv());
      assert.ok(result.ready, "readiness gate timed out");
    },
  },
  {
    id: "6.2.2",
    title: "edge /health answers 200 with exactly one text/plain Content-Type",
    async run(ctx) {
      const reply = await get(ctx, "/health");
      expectStatus(reply, 200, "/health");
      assert.equal(reply.headers.get("content-type"), "text/plain", "one Content-Type: text/plain");
      assert.equal(reply.text, "ok\n");
    },
  },
  {
    id: "6.2.3",
    title: "dev-server paths are not served",
    async run(ctx) {
      for (const path of ["/@vite/client", "/@fs/package.json"]) {
        assert.notEqual((await get(ctx, path)).status, 200, `${path} must not answer 200`);
      }
    },
  },
  {
    id: "6.2.4",
    title: "account lookup",
    needs: ["account-service"],
    async run(ctx) {
      await expectGet(ctx, "/account-service/account/22214");
    },
  },
  {
    id: "6.2.5",
    title: "order-matcher health and open orders",
    needs: ["order-matcher"],
    async run(ctx) {
      await expectGet(ctx, "/order-matcher/health");
      assert.ok(
        Array.isArray(await getJson(ctx, "/order-matcher/orders?status=open")),
        "open orders is an array",
      );
    },
  },
  {
    id: "6.2.6",
    title: "message bus connected in trade-service, trade-processor and order-matcher",
    needs: ["trade-service", "trade-processor", "order-matcher"],
    async run(ctx) {
      for (const service of ["trade-service", "trade-processor", "order-matcher"]) {
        const health = await getJson<{ status: string; messageBus: Record<string, unknown> }>(
          ctx,
          `/${service}/system/health`,
        );
        assert.equal(health.status, "ok", `${service} status`);
        const bus = health.messageBus as {
          status?: string;
          publisher?: { status: string };
          subscriber?: { status: string };
        };
        const statuses =
          bus.status !== undefined ? [bus.status] : [bus.publisher?.status, bus.subscriber?.status];
        for (const status of statuses)
          assert.equal(status, "connected", `${service} messageBus ${JSON.stringify(bus)}`);
      }
    },
  },
  {
    id: "6.2.7a",
    title: "Grafana health",
    needs: ["grafana"],
    async run(ctx) {
      await expectGet(ctx, "/grafana/api/health");
    },
  },
  {
    id: "6.2.7b",
    title: "Prometheus ready and answering queries",
    needs: ["prometheus"],
    async run(ctx) {
      await expectGet(ctx, "/prometheus/-/ready");
      await prometheusQuery(ctx, "up");
    },
  },
  {
    id: "6.2.8",
    title: "traderx_messagebus_connected has at least 4 series",
    needs: ["prometheus", "trade-service", "trade-processor", "order-matcher"],
    async run(ctx) {
      await eventually(90_000, 3_000, async () => {
        const series = await prometheusQuery(ctx, "traderx_messagebus_connected");
        assert.ok(series.length >= 4, `traderx_messagebus_connected: ${series.length} series`);
      });
    },
  },
  {
    id: "6.2.9",
    title: "Grafana datasource query of probe_success",
    needs: ["grafana", "prometheus", "blackbox-exporter"],
    async run(ctx) {
      const reply = await grafanaQuery(ctx, "now-5m", {
        datasource: { uid: "prometheus" },
        expr: 'probe_success{job="traderx-http-probe"}',
        instant: true,
      });
      expectStatus(reply, 200, "Grafana ds/query");
      const body = reply.json<{ results: { A: { error?: string; frames?: unknown[] } } }>();
      assert.equal(body.results.A.error, undefined, "no query error");
      assert.ok((body.results.A.frames ?? []).length >= 1, "at least one frame");
    },
  },
  {
    id: "6.2.10",
    title: "a TraderX dashboard uses traderx_messagebus_connected",
    needs: ["grafana"],
    async run(ctx) {
      const found = (
        await request(url(ctx, "/grafana/api/search?query=TraderX&type=dash-db"), { headers: GRAFANA_AUTH })
      ).json<{ uid: string }[]>();
      const dashboards = await Promise.all(
        found.map((d) =>
          request(url(ctx, `/grafana/api/dashboards/uid/${d.uid}`), { headers: GRAFANA_AUTH }),
        ),
      );
      assert.ok(
        dashboards.some((d) => d.text.includes("traderx_messagebus_connected")),
        "no dashboard has it",
      );
    },
  },
  {
    id: "6.2.11",
    title: `at least 5 targets of job ${ACTUATOR_JOB} are up`,
    needs: ["prometheus", ...actuatorServices()],
    async run(ctx) {
      await eventually(60_000, 2_000, async () => {
        const body = await getJson<{
          data: { activeTargets: { labels: Record<string, string>; health: string }[] };
        }>(ctx, "/prometheus/api/v1/targets");
        const up = body.data.activeTargets.filter((t) => t.labels.job === ACTUATOR_JOB && t.health === "up");
        assert.ok(up.length >= 5, `${up.length} ${ACTUATOR_JOB} targets up`);
      });
    },
  },
  {
    id: "6.2.12",
    title: "actuator/prometheus of the five actuator services",
    needs: actuatorServices(),
    async run(ctx) {
      for (const service of actuatorServices()) {
        await expectGet(ctx, `/${service}/actuator/prometheus`);
      }
    },
  },
  {
    id: "6.2.13",
    title: "http_server_requests_seconds_count is exported after warm-up calls",
    needs: ["prometheus", ...actuatorServices()],
    async run(ctx) {
      for (const path of [
        "/account-service/account/22214",
        "/position-service/positions/22214",
        "/trade-service/v3/api-docs",
        "/trade-processor/health",
        "/order-matcher/orders/open-count",
      ]) {
        await get(ctx, path);
      }
      await eventually(60_000, 3_000, async () => {
        const series = await prometheusQuery(
          ctx,
          `count(http_server_requests_seconds_count{job="${ACTUATOR_JOB}"})`,
        );
        const count = Number((series[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0);
        assert.ok(count > 0, `count(http_server_requests_seconds_count) = ${count}`);
      });
    },
  },
  {
    id: "6.2.14",
    title: "the node log agent DaemonSet is rolled out",
    needsKubectl: true,
    async run(ctx) {
      for (const daemonSet of runningWorkloads(ctx.profile).filter((w) => w.kind === "DaemonSet")) {
        const result = spawnSync(
          "kubectl",
          [
            "--context",
            ctx.kube!.context,
            "-n",
            ctx.kube!.namespace,
            "rollout",
            "status",
            `daemonset/${daemonSet.name}`,
            "--timeout=120s",
          ],
          { encoding: "utf8" },
        );
        assert.equal(result.status, 0, `rollout status daemonset/${daemonSet.name}: ${result.stderr}`);
      }
    },
  },
  {
    id: "6.2.15",
    title: "Loki has TraderX logs (through Grafana)",
    needs: ["grafana", "loki"],
    async run(ctx) {
      const services =
        "nats-broker|trade-service|trade-processor|price-publisher|position-service|grafana|loki|tempo|otel-collector|prometheus|edge-proxy";
      const queries = [
        { from: "now-5m", expr: 'sum(count_over_time({compose_project="traderx-state-009"}[5m]))' },
        {
          from: "now-10m",
          expr: `sum(count_over_time({compose_project="traderx-state-009",service=~"${services}"}[10m]))`,
        },
      ];
      for (const query of queries) {
        await eventually(120_000, 5_000, async () => {
          const reply = await grafanaQuery(ctx, query.from, {
            datasource: { uid: "loki" },
            expr: query.expr,
          });
          expectStatus(reply, 200, "Grafana Loki query");
          const frames = reply.json<{ results: { A: { frames?: { data: { values: number[][] } }[] } } }>()
            .results.A.frames;
          const values = frames?.[0]?.data.values[1] ?? [];
          assert.ok(
            (values[values.length - 1] ?? 0) > 0,
            `${query.expr}: last value ${values[values.length - 1]}`,
          );
        });
      }
    },
  },
  {
    id: "6.2.16a",
    title: "reference-data suite",
    needs: ["reference-data"],
    async run(ctx) {
      const stocks = await get(ctx, "/reference-data/stocks", { origin: ORIGIN });
      expectStatus(stocks, 200, "/reference-data/stocks");
      expectCors(stocks, "reference-data /stocks", true);
      assert.ok(stocks.json<unknown[]>().length >= 20, "at least 20 stocks");
      assert.equal((await getJson<{ ticker: string }>(ctx, "/reference-data/stocks/IBM")).ticker, "IBM");
      await expectGet(ctx, "/reference-data/stocks/DOES_NOT_EXIST", 404);
    },
  },
  {
    id: "6.2.16b",
    title: "account-service suite",
    needs: ["account-service", "people-service"],
    async run(ctx) {
      const account = await get(ctx, "/account-service/account/22214", { origin: ORIGIN });
      expectCors(account, "account-service");
      assert.equal(account.json<{ id: number }>().id, 22214);
      assert.ok((await getJson<unknown[]>(ctx, "/account-service/account/")).length > 0, "accounts");
      assert.ok((await getJson<unknown[]>(ctx, "/account-service/accountuser/")).length > 0, "account users");
      const unknownUser = await postJson(url(ctx, "/account-service/accountuser/"), {
        accountId: 22214,
        username: "DOES_NOT_EXIST",
      });
      expectStatus(unknownUser, 404, "POST /accountuser/ with an unknown user");
    },
  },
  {
    id: "6.2.16c",
    title: "people-service suite",
    needs: ["people-service", "account-service"],
    async run(ctx) {
      expectCors(
        await get(ctx, "/people-service/People/GetMatchingPeople?SearchText=user&Take=1", { origin: ORIGIN }),
        "people",
      );
      assert.equal(
        (await getJson<{ logonId: string }>(ctx, "/people-service/People/GetPerson?LogonId=user01")).logonId,
        "user01",
      );
      const matching = await getJson<{ people: unknown[] }>(
        ctx,
        "/people-service/People/GetMatchingPeople?SearchText=user&Take=5",
      );
      assert.ok(matching.people.length >= 1, "matching people");
      await expectGet(ctx, "/people-service/People/ValidatePerson?LogonId=user01");
      await expectGet(ctx, "/people-service/People/GetPerson?LogonId=DOES_NOT_EXIST", 404);
      await expectGet(ctx, "/account-service/accountuser/");
    },
  },
  {
    id: "6.2.16d",
    title: "position-service suite",
    needs: ["position-service"],
    async run(ctx) {
      expectCors(await get(ctx, "/position-service/positions/22214", { origin: ORIGIN }), "position-service");
      assert.ok(
        (await getJson<unknown[]>(ctx, "/position-service/positions/22214")).length > 0,
        "positions of 22214",
      );
      assert.ok(
        (await getJson<unknown[]>(ctx, "/position-service/trades/22214")).length > 0,
        "trades of 22214",
      );
      for (const path of ["/position-service/health/ready", "/position-service/health/alive"]) {
        assert.equal((await get(ctx, path)).text.trim(), "true", path);
      }
    },
  },
  {
    id: "6.2.16e",
    title: "trade-service suite: submit, booked as Settled, unknown ticker and account",
    needs: [
      "trade-service",
      "trade-processor",
      "position-service",
      "reference-data",
      "account-service",
      "price-publisher",
    ],
    async run(ctx) {
      const preflight = await request(url(ctx, "/trade-service/trade/"), {
        method: "OPTIONS",
        headers: {
          origin: ORIGIN,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      expectCors(preflight, "trade-service preflight");
      const quantity = randomInt(4300, 4999);
      const ticket = { accountId: 22214, security: "IBM", side: "Buy", quantity };
      const reply = await postJson(url(ctx, "/trade-service/trade/"), ticket);
      expectStatus(reply, 200, "POST /trade-service/trade/");
      const echoed = reply.json<Record<string, unknown>>();
      for (const key of ["accountId", "security", "quantity"] as const)
        assert.equal(echoed[key], ticket[key], key);
      await eventually(25_000, 1_000, async () => {
        const trades = await getJson<{ security: string; quantity: number; state: string }[]>(
          ctx,
          "/position-service/trades/22214",
        );
        assert.ok(
          trades.some((t) => t.security === "IBM" && t.quantity === quantity && t.state === "Settled"),
          `no Settled IBM trade of ${quantity}`,
        );
      });
      const badTicker = await postJson(url(ctx, "/trade-service/trade/"), {
        ...ticket,
        security: "NO_SUCH_TICKER_123",
      });
      expectStatus(badTicker, 404, "unknown ticker");
      const badAccount = await postJson(url(ctx, "/trade-service/trade/"), {
        ...ticket,
        accountId: 99999999,
      });
      expectStatus(badAccount, 404, "unknown account");
    },
  },
  {
    id: "6.2.16f",
    title: "web front end: shell, SPA route and branding images",
    needs: ["web-front-end"],
    async run(ctx) {
      const shell = await get(ctx, "/");
      expectStatus(shell, 200, "/");
      assert.match(shell.text, /<app-root/, "the shell contains <app-root");
      for (const route of ["/trade", "/admin"]) expectStatus(await get(ctx, route), 200, route);
      for (const image of ["traderx-apple-touch-icon.png", "traderx-icon.png", "FINOS_Icon_White.png"]) {
        expectStatus(await get(ctx, `/assets/img/${image}`), 200, image);
      }
    },
  },
  {
    id: "6.2.16g",
    title: "front-end source checks (grep of the Angular sources)",
    notApplicable:
      "they grep the reference's Angular layout; this UI is a rewrite, and its browser tests check the same behaviours",
    async run() {},
  },
  {
    id: "6.3.1a",
    title: "NATS websocket through the edge upgrades (101); a plain GET gets 400",
    needs: ["nats-broker"],
    async run(ctx) {
      await withBus(ctx, ["smoke.ping"], async () => undefined);
      await expectGet(ctx, "/nats-ws", 400);
    },
  },
  {
    id: "6.3.1b",
    title: "NATS /varz has server_id, max_payload, proto",
    needs: ["nats-broker"],
    unavailable: (ctx) =>
      ctx.natsMonitorUrl ? undefined : "the broker's monitoring port is not reachable from this machine",
    async run(ctx) {
      const varz = (await request(`${ctx.natsMonitorUrl!}/varz`)).json<Record<string, unknown>>();
      for (const key of ["server_id", "max_payload", "proto"]) assert.ok(key in varz, `/varz has ${key}`);
    },
  },
  {
    id: "6.3.2",
    title: "pricing: quotes, and prices on trades and positions",
    needs: ["price-publisher", "position-service"],
    async run(ctx) {
      const quote = await getJson<{ ticker: string; price: unknown }>(ctx, "/price-publisher/prices/IBM");
      assert.equal(quote.ticker, "IBM");
      assert.equal(typeof quote.price, "number", "numeric price");
      const trades = await getJson<{ price: unknown }[]>(ctx, "/position-service/trades/");
      assert.ok(
        trades.every((t) => t.price !== null && t.price !== undefined),
        "every trade has a price",
      );
      const positions = await getJson<{ averageCostBasis: unknown }[]>(ctx, "/position-service/positions/");
      assert.ok(
        positions.every((p) => p.averageCostBasis !== null && p.averageCostBasis !== undefined),
        "cost basis",
      );
    },
  },
  {
    id: "6.3.3",
    title: "messaging flow: /trades, account trade and position, pricing.IBM",
    needs: ["trade-service", "trade-processor", "price-publisher", "nats-broker"],
    async run(ctx) {
      const subjects = ["/trades", "/accounts/22214/trades", "/accounts/22214/positions", "pricing.IBM"];
      await withBus(ctx, subjects, async (bus) => {
        const quantity = randomInt(7000, 7499);
        const reply = await postJson(url(ctx, "/trade-service/trade/"), {
          accountId: 22214,
          security: "IBM",
          side: "Buy",
          quantity,
        });
        expectStatus(reply, 200, "POST trade");
        const wait = 35_000;
        const order = await bus.waitFor(
          "/trades message",
          (m) => m.subject === "/trades" && m.payload.quantity === quantity,
          wait,
        );
        assert.ok(Number.isFinite(order.payload.price), "/trades price is finite");
        await bus.waitFor(
          "Settled account trade",
          (m) =>
            m.subject === "/accounts/22214/trades" &&
            m.payload.quantity === quantity &&
            m.payload.state === "Settled",
          wait,
        );
        await bus.waitFor(
          "IBM position",
          (m) =>
            m.subject === "/accounts/22214/positions" &&
            m.payload.security === "IBM" &&
            typeof m.payload.quantity === "number",
          wait,
        );
        const tick = await bus.waitFor("pricing.IBM tick", (m) => m.subject === "pricing.IBM", wait);
        for (const key of ["price", "openPrice", "closePrice"])
          assert.equal(typeof tick.payload[key], "number", key);
      });
    },
  },
  {
    id: "6.3.4",
    title: "order create is published on the account subject and /orders",
    needs: ["order-matcher", "nats-broker"],
    async run(ctx) {
      await withBus(ctx, ["/accounts/22214/orders", "/orders"], async (bus) => {
        const order = await createOrder(ctx, {
          accountId: 22214,
          security: "IBM",
          side: "Buy",
          quantity: randomInt(1, 1000),
          limitPrice: 188.125,
        });
        for (const subject of ["/accounts/22214/orders", "/orders"]) {
          await bus.waitFor(`NEW on ${subject}`, orderEvent(order.orderId, "NEW", subject), 20_000);
        }
        await orderAction(ctx, order.orderId, "cancel");
      });
    },
  },
  {
    id: "6.3.5",
    title: "order stream: cancel and force-fill events, with the fill's trade and position",
    needs: ["order-matcher", "trade-service", "trade-processor", "nats-broker"],
    async run(ctx) {
      const subjects = [
        "/accounts/22214/orders",
        "/accounts/44044/orders",
        "/orders",
        "/accounts/44044/trades",
        "/accounts/44044/positions",
      ];
      await withBus(ctx, subjects, async (bus) => {
        const cheap = await createOrder(ctx, {
          accountId: 22214,
          security: "IBM",
          side: "Buy",
          quantity: 33,
          limitPrice: 1.0,
        });
        await bus.waitFor("NEW", orderEvent(cheap.orderId, "NEW", "/accounts/22214/orders"), 20_000);
        await bus.waitFor("NEW on /orders", orderEvent(cheap.orderId, "NEW", "/orders"), 20_000);
        assert.equal((await orderAction(ctx, cheap.orderId, "cancel")).status, "CANCELED");
        await bus.waitFor(
          "CANCELED",
          orderEvent(cheap.orderId, "CANCELED", "/accounts/22214/orders"),
          20_000,
        );
        await bus.waitFor("CANCELED on /orders", orderEvent(cheap.orderId, "CANCELED", "/orders"), 20_000);

        const sell = await createOrder(ctx, {
          accountId: 44044,
          security: "JPM",
          side: "Sell",
          quantity: 11,
          limitPrice: 191.875,
        });
        await orderAction(ctx, sell.orderId, "force-fill");
        await bus.waitFor("FILLED", orderEvent(sell.orderId, "FILLED", "/accounts/44044/orders"), 20_000);
        await bus.waitFor("FILLED on /orders", orderEvent(sell.orderId, "FILLED", "/orders"), 20_000);
        await bus.waitFor(
          "JPM Sell 11 trade",
          (m) =>
            m.subject === "/accounts/44044/trades" &&
            m.payload.security === "JPM" &&
            m.payload.side === "Sell" &&
            m.payload.quantity === 11,
          20_000,
        );
        await bus.waitFor(
          "JPM position",
          (m) => m.subject === "/accounts/44044/positions" && m.payload.security === "JPM",
          20_000,
        );
      });
    },
  },
  {
    id: "6.3.6",
    title: "order REST journeys: list, cancel, force-fill with booking, auto-fill of a large order",
    needs: ["order-matcher", "trade-service", "trade-processor", "position-service", "price-publisher"],
    async run(ctx) {
      const openBefore = await getJson<{ openOrders: number }>(ctx, "/order-matcher/orders/open-count");
      assert.ok(
        (await getJson<unknown[]>(ctx, "/order-matcher/orders?status=open")).length > 0,
        "open orders exist",
      );

      const cheap = await createOrder(ctx, {
        accountId: 22214,
        security: "IBM",
        side: "Buy",
        quantity: 77,
        limitPrice: 1.0,
      });
      const listed = await getJson<Order[]>(ctx, "/order-matcher/orders?status=open&accountId=22214");
      assert.ok(
        listed.some((o) => o.orderId === cheap.orderId),
        "new order is listed as open",
      );
      assert.equal((await orderAction(ctx, cheap.orderId, "cancel")).status, "CANCELED");

      const jpmQuantity = async () =>
        (
          await getJson<{ security: string; quantity: number }[]>(ctx, "/position-service/positions/44044")
        ).find((p) => p.security === "JPM")?.quantity ?? 0;
      const before = await jpmQuantity();
      const sell = await createOrder(ctx, {
        accountId: 44044,
        security: "JPM",
        side: "Sell",
        quantity: 55,
        limitPrice: 191.875,
      });
      assert.equal((await orderAction(ctx, sell.orderId, "force-fill")).status, "FILLED");
      await eventually(60_000, 1_000, async () => {
        const trades = await getJson<{ security: string; side: string; quantity: number }[]>(
          ctx,
          "/position-service/trades/44044",
        );
        assert.ok(
          trades.some((t) => t.security === "JPM" && t.side === "Sell" && t.quantity === 55),
          "JPM Sell 55 trade",
        );
        assert.equal(await jpmQuantity(), before - 55, "JPM position dropped by 55");
      });

      const large = await createOrder(ctx, {
        accountId: 22214,
        security: "IBM",
        side: "Buy",
        quantity: 5000,
        limitPrice: 99999,
      });
      const fetchOrder = () => getJson<Order>(ctx, `/order-matcher/orders/${large.orderId}`);
      await eventually(20_000, 500, async () => {
        const order = await fetchOrder();
        assert.notEqual(order.status, "NEW", "still NEW");
        assert.ok(
          [2500, 1250, 625, 0].includes(order.remainingQuantity),
          `remaining ${order.remainingQuantity}`,
        );
      });
      await eventually(40_000, 1_000, async () => assert.equal((await fetchOrder()).status, "FILLED"));

      const metrics = (await get(ctx, "/order-matcher/metrics")).text;
      for (const event of ["create", "cancel", "force_fill"]) {
        assert.match(
          metrics,
          new RegExp(`^traderx_order_events_total\\{[^}]*event="${event}"`, "m"),
          `${event} event line`,
        );
      }
      const openAfter = await getJson<{ openOrders: number }>(ctx, "/order-matcher/orders/open-count");
      assert.ok(openAfter.openOrders <= openBefore.openOrders + 1, "open count grew by at most one");
    },
  },
  {
    id: "6.3.7",
    title: "API explorer: index, pub/sub inspector and subject catalog",
    needs: ["api-explorer"],
    async run(ctx) {
      const index = await get(ctx, "/api/docs/");
      expectStatus(index, 200, "/api/docs/");
      assert.match(index.headers.get("content-type") ?? "", /text\/html/);
      assert.match(index.text, /pubsub-inspector\.html/);
      assert.match(index.text, /window\.location\.href/);
      assert.match(index.text, /href="\/"/);
      const inspector = await get(ctx, "/api/docs/pubsub-inspector.html");
      expectStatus(inspector, 200, "pubsub-inspector.html");
      for (const text of [
        "MAX_BUFFER = 2000",
        'id="filter-input"',
        'id="pause-btn"',
        'id="clear-btn"',
        "./vendor/nats.ws/nats.js",
        'href="/"',
      ]) {
        assert.ok(inspector.text.includes(text), `inspector contains ${text}`);
      }
      assert.doesNotMatch(inspector.text, /cdn\.|unpkg\.com|jsdelivr/, "no CDN references");
      await expectGet(ctx, "/api/docs/pubsub-inspector");
      const subjects = (
        await getJson<{ messagingSubjects: { pattern: string; wildcard: boolean }[] }>(
          ctx,
          "/api/docs/catalog.json",
        )
      ).messagingSubjects;
      for (const pattern of [
        "/trades",
        "/accounts/<accountId>/trades",
        "/accounts/<accountId>/positions",
        "pricing.*",
        "/accounts/<accountId>/orders",
        "/orders",
      ]) {
        assert.ok(
          subjects.some((s) => s.pattern === pattern),
          `catalog.json has ${pattern}`,
        );
      }
      assert.equal(
        subjects.find((s) => s.pattern === "pricing.*")?.wildcard,
        true,
        "pricing.* is a wildcard",
      );
    },
  },
];

export type Outcome =
  { status: "pass" } | { status: "fail"; error: string } | { status: "skip"; reason: string };

/** Why a check does not apply to this profile, or undefined when it does. */
export function skipReason(check: SmokeCheck, ctx: SmokeContext): string | undefined {
  if (check.notApplicable) return check.notApplicable;
  if (check.needsKubectl && !ctx.kube) return "needs kubectl against a cluster; this profile has none";
  const unavailable = check.unavailable?.(ctx);
  if (unavailable) return unavailable;
  const missing = (check.needs ?? []).filter((w) => !profileHas(ctx.profile, w));
  if (missing.length > 0) return `the ${ctx.profile.kind} profile does not run ${missing.join(", ")}`;
  return undefined;
}

export async function runSmoke(
  ctx: SmokeContext,
  log: (line: string) => void = (line) => console.log(line),
  checks: readonly SmokeCheck[] = smokeChecks,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  for (const check of checks) {
    const reason = skipReason(check, ctx);
    if (reason) {
      outcomes.set(check.id, { status: "skip", reason });
      log(`SKIP ${check.id} ${check.title}: ${reason}`);
      continue;
    }
    const started = Date.now();
    try {
      await check.run(ctx);
      outcomes.set(check.id, { status: "pass" });
      log(`PASS ${check.id} ${check.title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const message = (error as Error).message;
      outcomes.set(check.id, { status: "fail", error: message });
      log(`FAIL ${check.id} ${check.title}: ${message}`);
      // Nothing else can pass through an edge that never became ready.
      if (check.id === "6.2.1") break;
    }
  }
  const count = (status: Outcome["status"]) =>
    [...outcomes.values()].filter((o) => o.status === status).length;
  log(`smoke: ${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped`);
  return outcomes;
}
