/**
 * Serves the explorer under /api/docs/ (the edge keeps the path): the index and catalog.json rendered
 * from the configured services, and the built static site (viewer, inspector, vendored libraries).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { HttpService, Service } from "@traderx/service-lib";
import { MOUNT_PATH, renderCatalog, type ExplorerService } from "./catalog.js";
import { renderIndexPage, renderViewerPage } from "./pages.js";

export async function createExplorerApp(
  service: Service,
  services: readonly ExplorerService[],
  siteDir: string,
  startedAt: Date,
): Promise<HttpService> {
  if (!existsSync(path.join(siteDir, "pubsub-inspector.html"))) {
    throw new Error(
      `API_EXPLORER_SITE_DIR: ${siteDir} has no built site; run "npm run build -w api-explorer" first`,
    );
  }
  const app = await service.httpService({ title: "TraderX API explorer", openApiPaths: [] });
  const hidden = { schema: { hide: true } };
  const indexPage = renderIndexPage(services);
  const viewerPage = renderViewerPage();
  const catalog = renderCatalog(services, startedAt);

  await app.register(fastifyStatic, {
    root: siteDir,
    prefix: `${MOUNT_PATH}/`,
    // Files are looked up per request, so a rebuilt site needs no restart; explicit routes below win.
    wildcard: true,
    index: false,
    setHeaders: (response) => response.header("Cache-Control", "no-cache"),
  });
  app.get("/healthz", hidden, async (_request, reply) =>
    service.isAccepting() ? { status: "UP" } : reply.code(503).send({ status: "OUT_OF_SERVICE" }),
  );
  // The router ignores trailing slashes, so /api/docs and /api/docs/ arrive here alike.
  app.get(`${MOUNT_PATH}/`, hidden, async (request, reply) => {
    if (!request.url.split("?")[0].endsWith("/")) return reply.redirect(`${MOUNT_PATH}/`, 301);
    return reply.type("text/html; charset=utf-8").send(indexPage);
  });
  app.get(`${MOUNT_PATH}/index.html`, hidden, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(indexPage),
  );
  app.get(`${MOUNT_PATH}/viewer.html`, hidden, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(viewerPage),
  );
  app.get(`${MOUNT_PATH}/catalog.json`, hidden, async () => catalog);
  app.get(`${MOUNT_PATH}/pubsub-inspector`, hidden, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").sendFile("pubsub-inspector.html"),
  );
  return app;
}
