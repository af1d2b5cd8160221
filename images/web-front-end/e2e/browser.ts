/**
 * Shared pieces of the end-to-end suite: Debian's Chromium driven by playwright-core with a fresh
 * profile, the edge's base URL, screenshots under test-artifacts/, and direct REST calls for setup.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const BASE_URL = (process.env.TRADERX_BASE_URL ?? "http://localhost:8080").replace(/\/+$/, "");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../test-artifacts");

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A browser with its own throwaway profile directory. */
export async function openBrowser(viewport = { width: 1400, height: 900 }): Promise<BrowserSession> {
  const profile = mkdtempSync(path.join(tmpdir(), "traderx-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    baseURL: BASE_URL,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One browser for the enclosing describe block, opened before its tests and closed after them. */
export function useBrowser(): () => BrowserSession {
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    session = await openBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });
  return () => session!;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** REST through the edge, for test setup and for checking what the UI shows against the services. */
export async function api<T>(pathname: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${BASE_URL}${pathname}`, {
    ...init,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${pathname} → ${response.status}: ${body}`);
  return JSON.parse(body) as T;
}

/** A quantity unlikely to be on screen already, so a test can find its own row. */
export const uniqueQuantity = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

/** Cell texts of a blotter's rows, keyed by column header. */
export async function tableRows(page: Page, testId: string): Promise<Record<string, string>[]> {
  return page.getByTestId(testId).evaluate((table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
    return [...table.querySelectorAll("tbody tr")]
      .filter((row) => !row.querySelector("td.empty"))
      .map((row) =>
        Object.fromEntries(
          [...row.querySelectorAll("td")].map((td, i) => [headers[i], td.textContent ?? ""]),
        ),
      );
  });
}

export const parseQuantity = (text: string) => Number(text.replace(/,/g, ""));
