/**
 * The static assets of contract 1.10 that are generated rather than stored: the three branding PNGs,
 * drawn here from simple shapes, and `/assets/state-ui.json` (contract 4.5). The Vite build emits them.
 */
import { PNG } from "pngjs";

type Rgb = readonly [number, number, number];

const TRADERX_BLUE: Rgb = [11, 61, 110];
const WHITE: Rgb = [255, 255, 255];

/** Distance from point p to the segment a–b. */
function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Signed distance to a rounded square spanning [0,1]², negative inside. */
function roundedSquareDistance(x: number, y: number, radius: number): number {
  const qx = Math.abs(x - 0.5) - (0.5 - radius);
  const qy = Math.abs(y - 0.5) - (0.5 - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

/**
 * Renders a square PNG from a coverage function in unit coordinates: `paint` returns, for a point, the
 * colour and how much of it covers the pixel (0–1, already anti-aliased by the caller's distance maths).
 */
function renderPng(size: number, paint: (x: number, y: number, pixel: number) => [Rgb, number][]): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const [colour, coverage] of paint((column + 0.5) / size, (row + 0.5) / size, 1 / size)) {
        const alpha = Math.max(0, Math.min(1, coverage));
        // "over" compositing of each layer on the ones below it
        const outAlpha = alpha + a * (1 - alpha);
        if (outAlpha === 0) continue;
        r = (colour[0] * alpha + r * a * (1 - alpha)) / outAlpha;
        g = (colour[1] * alpha + g * a * (1 - alpha)) / outAlpha;
        b = (colour[2] * alpha + b * a * (1 - alpha)) / outAlpha;
        a = outAlpha;
      }
      const offset = (row * size + column) * 4;
      png.data[offset] = Math.round(r);
      png.data[offset + 1] = Math.round(g);
      png.data[offset + 2] = Math.round(b);
      png.data[offset + 3] = Math.round(a * 255);
    }
  }
  return PNG.sync.write(png);
}

/** Coverage of a shape whose signed distance is `distance`, with a one-pixel soft edge. */
const coverage = (distance: number, pixel: number) => 0.5 - distance / pixel;

const TREND_LINE: readonly [number, number][] = [
  [0.2, 0.7],
  [0.4, 0.48],
  [0.56, 0.6],
  [0.8, 0.3],
];

/** The TraderX mark: a rising price line on a blue rounded square. */
export function renderTraderxIcon(size: number): Buffer {
  return renderPng(size, (x, y, pixel) => {
    let lineDistance = Infinity;
    for (let i = 1; i < TREND_LINE.length; i++) {
      const [ax, ay] = TREND_LINE[i - 1];
      const [bx, by] = TREND_LINE[i];
      lineDistance = Math.min(lineDistance, distanceToSegment(x, y, ax, ay, bx, by));
    }
    return [
      [TRADERX_BLUE, coverage(roundedSquareDistance(x, y, 0.2), pixel)],
      [WHITE, coverage(lineDistance - 0.055, pixel)],
    ];
  });
}

/** A plain white ring-and-dot mark on transparency, for the dark header. */
export function renderFoundationIcon(size: number): Buffer {
  return renderPng(size, (x, y, pixel) => {
    const radius = Math.hypot(x - 0.5, y - 0.5);
    return [
      [WHITE, coverage(Math.abs(radius - 0.36) - 0.07, pixel)],
      [WHITE, coverage(radius - 0.12, pixel)],
    ];
  });
}

export interface BrandingAsset {
  fileName: string;
  source: Buffer | string;
}

/** The UI metadata of contract 4.5; the checks are the contract's own list of the status page. */
export function renderStateUi(generatedAtUtc: string): string {
  const check = (id: string, label: string, url: string, expectStatus = 200) => ({
    id,
    label,
    url,
    method: "GET",
    expectStatus,
  });
  const stateUi = {
    stateId: "010-kubernetes-runtime",
    stateTitle: "Kubernetes Runtime",
    stateTrack: "devex",
    generatedAtUtc,
    sourceBranch: "state/010-kubernetes-runtime",
    apiExplorerUrl: "/api/docs",
    pubSubInspectorUrl: "/api/docs/pubsub-inspector.html",
    features: { statusPage: true, apiExplorer: true, pubSubInspector: true },
    previousStates: [
      { stateId: "008-pricing", title: "Realtime pricing" },
      { stateId: "009-order-management", title: "Order management and matcher" },
    ],
    statusChecks: [
      check("edge-health", "Edge proxy", "/health"),
      check("account-service", "Account service", "/account-service/account/22214"),
      check("reference-data", "Reference data", "/reference-data/stocks"),
      check("position-service", "Position service", "/position-service/health/alive"),
      check("trade-service", "Trade service", "/trade-service/v3/api-docs"),
      check("people-service", "People service", "/people-service/People/GetPerson?LogonId=user01"),
      check("nats-ws", "NATS websocket (plain GET is refused)", "/nats-ws", 400),
      check("price-publisher", "Price publisher", "/price-publisher/health"),
      check("order-matcher", "Order matcher", "/order-matcher/health"),
    ],
  };
  return `${JSON.stringify(stateUi, null, 2)}\n`;
}

/**
 * Every generated asset. The build time comes from SOURCE_DATE_EPOCH when set, so an image rebuilt
 * from the same sources is byte-identical.
 */
export function brandingAssets(now: Date): BrandingAsset[] {
  return [
    { fileName: "assets/img/traderx-icon.png", source: renderTraderxIcon(64) },
    { fileName: "assets/img/traderx-apple-touch-icon.png", source: renderTraderxIcon(180) },
    { fileName: "assets/img/FINOS_Icon_White.png", source: renderFoundationIcon(64) },
    { fileName: "assets/state-ui.json", source: renderStateUi(now.toISOString()) },
  ];
}

export function buildTime(env: NodeJS.ProcessEnv): Date {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return Number.isFinite(epoch) && env.SOURCE_DATE_EPOCH ? new Date(epoch * 1000) : new Date();
}
