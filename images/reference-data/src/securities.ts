/**
 * The security universe in the order the reference serves it (contract 1.2): the S&P 500 names it
 * supports, then the financial names it appends, with their display names.
 */
export interface Security {
  ticker: string;
  companyName: string;
}

export const SECURITY_DIRECTORY: readonly Security[] = [
  { ticker: "GOOGL", companyName: "Alphabet (Class A)" },
  { ticker: "AMZN", companyName: "Amazon" },
  { ticker: "AAPL", companyName: "Apple" },
  { ticker: "BAC", companyName: "Bank of America" },
  { ticker: "COF", companyName: "Capital One Financial Corporation" },
  { ticker: "C", companyName: "Citigroup Inc." },
  { ticker: "DFS", companyName: "Discover Financial Services" },
  { ticker: "FIS", companyName: "Fidelity National Information Services, Inc." },
  { ticker: "GS", companyName: "Goldman Sachs Group, Inc." },
  { ticker: "IBM", companyName: "IBM" },
  { ticker: "JPM", companyName: "JPMorgan Chase & Co." },
  { ticker: "META", companyName: "Meta Platforms, Inc." },
  { ticker: "MSFT", companyName: "Microsoft" },
  { ticker: "MS", companyName: "Morgan Stanley" },
  { ticker: "NVDA", companyName: "Nvidia" },
  { ticker: "TSLA", companyName: "Tesla" },
  { ticker: "UBS", companyName: "UBS Group AG" },
  { ticker: "DB", companyName: "Deutsche Bank AG" },
  { ticker: "FNMA", companyName: "Fannie Mae" },
  { ticker: "FNF", companyName: "Fidelity National Financial, Inc." },
];

/**
 * The served universe: directory entries whose ticker is supported, in directory order, at most
 * `maxTickers` of them. Supported tickers the directory does not know are left out (no name to show).
 */
export function securityUniverse(supported: readonly string[], maxTickers?: number): Security[] {
  const wanted = new Set(supported.map((ticker) => ticker.trim().toUpperCase()));
  const universe = SECURITY_DIRECTORY.filter((security) => wanted.has(security.ticker));
  return maxTickers === undefined ? universe : universe.slice(0, maxTickers);
}
