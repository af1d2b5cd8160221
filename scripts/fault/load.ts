/** Load generators for the fault tests, the soak and the benchmark, all through the edge. */
import { postJson, request } from "../lib/http";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates a fresh account, so that the trades of one test are exactly the trades of that account. */
export async function createAccount(baseUrl: string, displayName: string): Promise<number> {
  const reply = await postJson(`${baseUrl}/account-service/account/`, { displayName });
  if (reply.status !== 200)
    throw new Error(`creating account "${displayName}" answered ${reply.status}: ${reply.text}`);
  return reply.json<{ id: number }>().id;
}

export interface BurstResult {
  /** Quantities of the trades trade-service accepted (200). Each quantity is used once. */
  accepted: number[];
  /** Trades that were refused or not answered: quantity and what came back. */
  refused: { quantity: number; outcome: string }[];
}

/**
 * Submits `count` market trades for one account at about `perSecond`, each with its own quantity
 * (`firstQuantity`, `firstQuantity + 1`, …), so a booked trade identifies its ticket.
 */
export async function tradeBurst(
  baseUrl: string,
  accountId: number,
  count: number,
  perSecond: number,
  firstQuantity: number,
): Promise<BurstResult> {
  const result: BurstResult = { accepted: [], refused: [] };
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(Math.max(0, started + (i * 1000) / perSecond - Date.now()));
    const quantity = firstQuantity + i;
    inFlight.push(
      postJson(`${baseUrl}/trade-service/trade/`, { accountId, security: "IBM", side: "Buy", quantity }).then(
        (reply) => {
          if (reply.status === 200) result.accepted.push(quantity);
          else result.refused.push({ quantity, outcome: String(reply.status) });
        },
        (error: Error) => {
          result.refused.push({ quantity, outcome: error.message });
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return result;
}

export interface LoadResult {
  requests: number;
  failures: string[];
  /** Count of answers per status code. */
  statuses: Map<number, number>;
}

/**
 * Sends GETs to `paths` round-robin from `concurrency` workers until `stop()` resolves. A request fails
 * when it gets no answer, or an answer the check rejects (by default: any 5xx).
 */
export function sustainedLoad(
  baseUrl: string,
  paths: readonly string[],
  concurrency: number,
  ok: (status: number) => boolean = (status) => status < 500,
): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { requests: 0, failures: [], statuses: new Map() };
  let running = true;
  let next = 0;
  const worker = async () => {
    while (running) {
      const path = paths[next++ % paths.length];
      try {
        // One connection per request: a graceful nginx reload closes idle keep-alive connections, and a
        // client reusing one at that moment sees a reset that says nothing about the service under test.
        const reply = await request(`${baseUrl}${path}`, { headers: { connection: "close" } });
        result.requests += 1;
        result.statuses.set(reply.status, (result.statuses.get(reply.status) ?? 0) + 1);
        if (!ok(reply.status)) result.failures.push(`GET ${path} -> ${reply.status}`);
      } catch (error) {
        result.requests += 1;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        result.failures.push(
          `GET ${path} -> ${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ""}`,
        );
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}
