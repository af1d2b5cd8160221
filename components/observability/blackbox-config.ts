/**
 * Renders the blackbox exporter's module file (contract 7.3): one `http_2xx` module, HTTP prober, 5 s
 * timeout, IPv4 preferred. The module format is the same in Debian's 0.23 (which validates it in the tests
 * and runs it in the local runtime) and the pinned 0.27.
 */
import { stringify } from "yaml";
import { HTTP_PROBE_MODULE } from "./prometheus-config";

/** Probe timeout; below the 10 s scrape timeout, so a slow target fails its probe, not the scrape. */
export const PROBE_TIMEOUT_SECONDS = 5;

export function renderBlackboxConfig(): string {
  return stringify({
    modules: {
      [HTTP_PROBE_MODULE]: {
        prober: "http",
        timeout: `${PROBE_TIMEOUT_SECONDS}s`,
        http: {
          // An empty list means "any 2xx".
          valid_status_codes: [],
          method: "GET",
          preferred_ip_protocol: "ip4",
          ip_protocol_fallback: true,
          follow_redirects: true,
        },
      },
    },
  });
}
