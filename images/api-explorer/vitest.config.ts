import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests use @traderx/service-lib's TypeScript sources (its `source` export), so no build is needed first.
  // "module" is left out: it picks @opentelemetry/api's bundler-only ESM build, which Node cannot load.
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions.filter((c) => c !== "module")] } },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
