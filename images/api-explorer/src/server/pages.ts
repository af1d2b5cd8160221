import { specUrlOf, type ExplorerService } from "./catalog.js";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

function serviceRow(service: ExplorerService): string {
  const specUrl = escapeHtml(specUrlOf(service));
  const id = escapeHtml(service.id);
  return `        <tr data-service="${id}" data-spec-url="${specUrl}">
          <td><strong>${id}</strong><br /><span class="muted">${escapeHtml(service.name)}</span></td>
          <td><a href="${specUrl}"><code>${specUrl}</code></a></td>
          <td class="spec-status" aria-live="polite">checking…</td>
          <td><a class="button" href="viewer.html?service=${encodeURIComponent(service.id)}">Explore</a></td>
        </tr>`;
}

interface Page {
  title: string;
  stylesheets?: string[];
  nav: string;
  main: string;
  scripts: string;
}

/** The chrome every rendered explorer page shares: head, header bar with navigation, main. */
function renderPage({ title, stylesheets = [], nav, main, scripts }: Page): string {
  const links = [...stylesheets, "explorer.css"].map(
    (href) => `    <link rel="stylesheet" href="${href}" />`,
  );
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
${links.join("\n")}
  </head>
  <body>
    <header>
      <h1>TraderX API Explorer</h1>
      <nav>
${nav}
      </nav>
    </header>
    <main>
${main}
    </main>
${scripts}
  </body>
</html>
`;
}

/**
 * The explorer's index: one row per service with its live OpenAPI document, a link to the interactive
 * viewer, the subject catalog and the pub/sub inspector. The inspector link is computed in the browser
 * from window.location.href, replacing the last path segment with pubsub-inspector.html, so it works
 * under any mount path (contract 1.11 and 9).
 */
export function renderIndexPage(services: readonly ExplorerService[]): string {
  return renderPage({
    title: "TraderX API Explorer",
    nav: `        <a href="/">TraderX app</a>
        <a id="inspector-link" href="pubsub-inspector.html">Pub/Sub Inspector</a>
        <a href="catalog.json">catalog.json</a>`,
    main: `      <p>Every service's OpenAPI document, read live from the running service through the edge.</p>
      <table class="services">
        <thead>
          <tr><th>Service</th><th>OpenAPI document</th><th>Live</th><th></th></tr>
        </thead>
        <tbody>
${services.map(serviceRow).join("\n")}
        </tbody>
      </table>
      <p class="muted">${services.length} services. Messaging subjects are listed in <a href="catalog.json">catalog.json</a> and can be watched in the inspector.</p>`,
    scripts: `    <script>
      (function () {
        var inspector = new URL(window.location.href);
        inspector.pathname = inspector.pathname.replace(/[^/]*$/, "pubsub-inspector.html");
        inspector.search = "";
        inspector.hash = "";
        document.getElementById("inspector-link").href = inspector.href;
      })();
    </script>
    <script type="module" src="index.js"></script>`,
  });
}

/** `viewer.html?service=<id>`: Swagger UI (served from ./vendor/swagger-ui/) on one live document. */
export function renderViewerPage(): string {
  return renderPage({
    title: "TraderX API Explorer",
    stylesheets: ["vendor/swagger-ui/swagger-ui.css"],
    nav: `        <a href="./">All services</a>
        <a href="/">TraderX app</a>`,
    main: `      <p id="service-title">Loading…</p>
      <div id="swagger-ui"></div>`,
    scripts: `    <script src="vendor/swagger-ui/swagger-ui-bundle.js"></script>
    <script type="module" src="viewer.js"></script>`,
  });
}
