/**
 * Serves the built single-page app: static files from `staticDir`, `index.html` for every other GET so
 * client routes (/trade, /admin, …) load the shell (contract 1.10), and `/healthz` for the probes.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { HttpService, Service } from "@traderx/service-lib";

/** Vite puts content-hashed bundles here; they never change under the same name. */
const HASHED_ASSETS = "/assets/app/";

export async function createWebApp(service: Service, staticDir: string): Promise<HttpService> {
  if (!existsSync(path.join(staticDir, "index.html"))) {
    throw new Error(
      `WEB_STATIC_DIR: ${staticDir} has no index.html; run "npm run build -w web-front-end" first`,
    );
  }
  const app = await service.httpService({ title: "TraderX web front end", openApiPaths: [] });
  await app.register(fastifyStatic, {
    root: staticDir,
    wildcard: false,
    index: false,
    setHeaders: (response, filePath) => {
      const hashed = filePath.startsWith(path.join(staticDir, HASHED_ASSETS));
      response.header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  app.get("/healthz", { schema: { hide: true } }, async (_request, reply) =>
    service.isAccepting() ? { status: "UP" } : reply.code(503).send({ status: "OUT_OF_SERVICE" }),
  );
  app.get("/*", { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split("?")[0];
    // A file path is looked up now (a rebuild may have added it since start); a missing one is a real
    // 404, since an HTML shell in place of a bundle or image would only confuse the browser.
    if (pathname.startsWith(HASHED_ASSETS) || /\.[a-z0-9]+$/i.test(pathname)) {
      return reply.sendFile(decodeURIComponent(pathname));
    }
    return reply.header("Cache-Control", "no-cache").sendFile("index.html");
  });
  return app;
}
