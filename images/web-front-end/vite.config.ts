import react from "@vitejs/plugin-react";
import { defaultServerConditions, type Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { brandingAssets, buildTime } from "./build/brandingAssets.ts";

/** Emits the generated PNGs and state-ui.json next to the bundle. */
function brandingAssetsPlugin(): Plugin {
  return {
    name: "traderx-branding-assets",
    apply: "build",
    generateBundle() {
      for (const asset of brandingAssets(buildTime(process.env))) {
        this.emitFile({ type: "asset", fileName: asset.fileName, source: asset.source });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), brandingAssetsPlugin()],
  // Tests use @traderx/service-lib's TypeScript sources (its `source` export), so no build is needed first.
  // "module" is left out: it picks @opentelemetry/api's bundler-only ESM build, which Node cannot load.
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions.filter((c) => c !== "module")] } },
  build: { outDir: "dist/client", emptyOutDir: true, assetsDir: "assets/app" },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}", "build/**/*.test.ts"],
    setupFiles: ["src/app/testing/setup.ts"],
  },
});
