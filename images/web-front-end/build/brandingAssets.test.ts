// @vitest-environment node
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { brandingAssets, buildTime, renderStateUi } from "./brandingAssets";

describe("branding assets", () => {
  it("draws the three contract PNGs at their sizes, with transparency where the shape ends", () => {
    const assets = brandingAssets(new Date("2026-07-22T00:00:00Z"));
    const pngs = Object.fromEntries(
      assets
        .filter((a) => a.fileName.endsWith(".png"))
        .map((a) => [a.fileName, PNG.sync.read(a.source as Buffer)]),
    );
    expect(Object.keys(pngs).sort()).toEqual([
      "assets/img/FINOS_Icon_White.png",
      "assets/img/traderx-apple-touch-icon.png",
      "assets/img/traderx-icon.png",
    ]);
    expect(pngs["assets/img/traderx-apple-touch-icon.png"].width).toBe(180);
    const icon = pngs["assets/img/traderx-icon.png"];
    expect(icon.width).toBe(64);
    expect(icon.data[3]).toBe(0); // rounded corner
    const centre = (32 * 64 + 32) * 4;
    expect(icon.data[centre + 3]).toBe(255);
    const finos = pngs["assets/img/FINOS_Icon_White.png"];
    expect([...finos.data.subarray(centre, centre + 4)]).toEqual([255, 255, 255, 255]);
  });

  it("writes state-ui.json with every key of contract 4.5 and the status checks", () => {
    const stateUi = JSON.parse(renderStateUi("2026-07-22T00:00:00.000Z"));
    for (const key of [
      "stateId",
      "stateTitle",
      "stateTrack",
      "generatedAtUtc",
      "sourceBranch",
      "apiExplorerUrl",
      "pubSubInspectorUrl",
      "features",
      "previousStates",
      "statusChecks",
    ]) {
      expect(stateUi, key).toHaveProperty(key);
    }
    expect(stateUi.stateId).toBe("010-kubernetes-runtime");
    expect(stateUi.features).toEqual({ statusPage: true, apiExplorer: true, pubSubInspector: true });
    expect(
      stateUi.statusChecks.map((c: { id: string; expectStatus: number }) => [c.id, c.expectStatus]),
    ).toEqual([
      ["edge-health", 200],
      ["account-service", 200],
      ["reference-data", 200],
      ["position-service", 200],
      ["trade-service", 200],
      ["people-service", 200],
      ["nats-ws", 400],
      ["price-publisher", 200],
      ["order-matcher", 200],
    ]);
  });

  it("takes the build time from SOURCE_DATE_EPOCH when set", () => {
    expect(buildTime({ SOURCE_DATE_EPOCH: "1700000000" }).toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(Math.abs(buildTime({}).getTime() - Date.now())).toBeLessThan(1000);
  });
});
