/** Marks each service row of the index with whether its live OpenAPI document answers right now. */

export async function checkSpec(url: string, fetcher: typeof fetch = fetch): Promise<string> {
  try {
    const response = await fetcher(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return `HTTP ${response.status}`;
    const document = (await response.json()) as { openapi?: string; swagger?: string; paths?: object };
    const version = document.openapi ?? document.swagger;
    if (!version) return "not an OpenAPI document";
    return `OpenAPI ${version}, ${Object.keys(document.paths ?? {}).length} paths`;
  } catch (error) {
    return `unreachable (${error instanceof Error ? error.message : String(error)})`;
  }
}

export function checkAllSpecs(root: ParentNode = document): Promise<void[]> {
  const rows = [...root.querySelectorAll<HTMLTableRowElement>("tr[data-spec-url]")];
  return Promise.all(
    rows.map(async (row) => {
      const status = await checkSpec(row.dataset.specUrl!);
      const cell = row.querySelector(".spec-status")!;
      cell.textContent = status;
      cell.classList.add(status.startsWith("OpenAPI") ? "ok" : "failed");
    }),
  );
}

if (typeof document !== "undefined" && document.querySelector("table.services")) void checkAllSpecs();
