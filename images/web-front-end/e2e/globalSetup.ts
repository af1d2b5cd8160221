import { BASE_URL, CHROMIUM } from "./browser";
import { existsSync } from "node:fs";

/** Fails the run once, with the fix, instead of every test failing on its own. */
export default async function checkPrerequisites(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  const health = await fetch(`${BASE_URL}/health`).catch(() => undefined);
  if (!health?.ok) {
    throw new Error(
      `no TraderX edge answers ${BASE_URL}/health: start it with \`npm run local:up\` at the repository root, ` +
        `or point TRADERX_BASE_URL at a running one`,
    );
  }
}
