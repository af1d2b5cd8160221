/**
 * What the explorer knows: the services with a live OpenAPI document (from API_EXPLORER_SERVICES, which the
 * deployment renders from the workload catalog) and the six NATS subject families of contract section 2.
 */
import { ConfigError, type Env } from "@traderx/service-lib";

export const MOUNT_PATH = "/api/docs";
export const STATE_ID = "010-kubernetes-runtime";

export interface ExplorerService {
  id: string;
  name: string;
  /** The service's route prefix at the edge, e.g. `/account-service`. */
  runtimeBasePath: string;
  /** The service-internal path of its OpenAPI document, e.g. `/v3/api-docs`. */
  specPath: string;
}

const SERVICES_KEY = "API_EXPLORER_SERVICES";
const SERVICES_FIX =
  'set it to a JSON array of {"id","name","runtimeBasePath","specPath"} (rendered from the catalog)';

export function parseServices(env: Env): ExplorerService[] {
  const raw = env[SERVICES_KEY];
  if (raw === undefined || raw.trim() === "") throw new ConfigError(SERVICES_KEY, "is not set", SERVICES_FIX);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(SERVICES_KEY, "is not valid JSON", SERVICES_FIX);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(SERVICES_KEY, "is not a JSON array", SERVICES_FIX);
  return parsed.map((entry: unknown, index) => {
    const fields = (entry ?? {}) as Record<string, unknown>;
    for (const key of ["id", "name", "runtimeBasePath", "specPath"]) {
      if (typeof fields[key] !== "string" || fields[key] === "") {
        throw new ConfigError(SERVICES_KEY, `entry ${index} has no "${key}" string`, SERVICES_FIX);
      }
    }
    for (const key of ["runtimeBasePath", "specPath"]) {
      if (!(fields[key] as string).startsWith("/")) {
        throw new ConfigError(SERVICES_KEY, `entry ${index}: "${key}" must start with "/"`, SERVICES_FIX);
      }
    }
    return {
      id: fields.id as string,
      name: fields.name as string,
      runtimeBasePath: (fields.runtimeBasePath as string).replace(/\/+$/, ""),
      specPath: fields.specPath as string,
    };
  });
}

/** The live document through the same origin: the edge prefix plus the service's own path. */
export const specUrlOf = (service: ExplorerService) => `${service.runtimeBasePath}${service.specPath}`;

export interface MessagingSubject {
  subject: string;
  pattern: string;
  wildcard: boolean;
  parameterized: boolean;
  prefillPattern: string;
}

/** The subject families of contract section 2, with the literal `pattern` strings of section 9. */
export const MESSAGING_SUBJECTS: readonly MessagingSubject[] = [
  {
    subject: "/trades",
    pattern: "/trades",
    wildcard: false,
    parameterized: false,
    prefillPattern: "/trades",
  },
  {
    subject: "/accounts/{accountId}/trades",
    pattern: "/accounts/<accountId>/trades",
    wildcard: false,
    parameterized: true,
    prefillPattern: "/accounts/{accountId}/trades",
  },
  {
    subject: "/accounts/{accountId}/positions",
    pattern: "/accounts/<accountId>/positions",
    wildcard: false,
    parameterized: true,
    prefillPattern: "/accounts/{accountId}/positions",
  },
  {
    subject: "pricing.<TICKER>",
    pattern: "pricing.*",
    wildcard: true,
    parameterized: true,
    prefillPattern: "pricing.{TICKER}",
  },
  {
    subject: "/accounts/{accountId}/orders",
    pattern: "/accounts/<accountId>/orders",
    wildcard: false,
    parameterized: true,
    prefillPattern: "/accounts/{accountId}/orders",
  },
  {
    subject: "/orders",
    pattern: "/orders",
    wildcard: false,
    parameterized: false,
    prefillPattern: "/orders",
  },
];

/** `catalog.json` (contract 1.11). Every service's contract is its live document; none is kept as a copy. */
export function renderCatalog(services: readonly ExplorerService[], generatedAt: Date) {
  return {
    generatedAtUtc: generatedAt.toISOString(),
    stateId: STATE_ID,
    mountPath: MOUNT_PATH,
    pubSubInspectorEnabled: true,
    services: services.map((service) => ({
      id: service.id,
      name: service.name,
      specUrl: specUrlOf(service),
      runtimeSpecPath: specUrlOf(service),
      runtimeBasePath: service.runtimeBasePath,
      contractUrl: specUrlOf(service),
      interactive: true,
    })),
    messagingSubjects: MESSAGING_SUBJECTS,
  };
}
