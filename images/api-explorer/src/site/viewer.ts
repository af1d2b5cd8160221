/**
 * The interactive viewer page: `viewer.html?service=<id>` looks the service up in catalog.json and hands
 * its live document to Swagger UI (served from ./vendor/swagger-ui/, never a CDN).
 */

interface CatalogService {
  id: string;
  name: string;
  specUrl: string;
  runtimeBasePath: string;
}

interface OpenApiDocument {
  openapi?: string;
  servers?: { url: string }[];
}

/**
 * A service describes its paths without the edge prefix (`/account/`), so "Try it out" must send them to
 * `runtimeBasePath` (`/account-service/account/`); a document that names its own servers is kept as is.
 */
export function withEdgeServer(document: OpenApiDocument, runtimeBasePath: string): OpenApiDocument {
  if (!document.openapi || (document.servers && document.servers.length > 0)) return document;
  return { ...document, servers: [{ url: runtimeBasePath }] };
}

declare global {
  interface Window {
    SwaggerUIBundle?: (options: Record<string, unknown>) => unknown;
  }
}

export function findService(services: readonly CatalogService[], search: string): CatalogService | undefined {
  const id = new URLSearchParams(search).get("service");
  return services.find((service) => service.id === id);
}

async function showViewer(): Promise<void> {
  const title = document.getElementById("service-title")!;
  const catalog = (await (await fetch("catalog.json")).json()) as { services: CatalogService[] };
  const service = findService(catalog.services, window.location.search);
  if (!service) {
    title.textContent = "Unknown service: choose one on the index page.";
    return;
  }
  title.textContent = `${service.id} — ${service.specUrl}`;
  document.title = `${service.id} · TraderX API Explorer`;
  const response = await fetch(service.specUrl);
  if (!response.ok) {
    title.textContent = `${service.id}: ${service.specUrl} answered HTTP ${response.status}`;
    return;
  }
  const spec = withEdgeServer((await response.json()) as OpenApiDocument, service.runtimeBasePath);
  window.SwaggerUIBundle!({ spec, dom_id: "#swagger-ui", deepLinking: true });
}

if (typeof document !== "undefined" && document.getElementById("swagger-ui")) void showViewer();
