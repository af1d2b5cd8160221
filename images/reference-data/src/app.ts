/** reference-data (contract 1.2): the security universe over HTTP. */
import { envInt, envPort, Type, type Env, type HttpService, type Service } from "@traderx/service-lib";
import { SECURITY_DIRECTORY, securityUniverse } from "./securities.js";

export interface ReferenceDataConfig {
  port: number;
  supportedTickers: string[];
  maxTickers?: number;
}

export function referenceDataConfig(env: Env): ReferenceDataConfig {
  const supported = env.REFERENCE_DATA_SUPPORTED_TICKERS?.trim();
  return {
    port: envPort(env, "REFERENCE_DATA_SERVICE_PORT", 18085),
    supportedTickers: supported
      ? supported.split(",")
      : SECURITY_DIRECTORY.map((security) => security.ticker),
    maxTickers: env.REFERENCE_DATA_MAX_TICKERS?.trim()
      ? envInt(env, "REFERENCE_DATA_MAX_TICKERS", 20, { min: 1 })
      : undefined,
  };
}

const SecuritySchema = Type.Object({ ticker: Type.String(), companyName: Type.String() });
const NotFoundSchema = Type.Object({
  statusCode: Type.Integer(),
  message: Type.String(),
  error: Type.String(),
});

export async function buildReferenceData(
  service: Service,
  config: ReferenceDataConfig,
): Promise<HttpService> {
  const universe = securityUniverse(config.supportedTickers, config.maxTickers);
  const byTicker = new Map(universe.map((security) => [security.ticker, security]));
  const app = await service.httpService({ title: "TraderX reference data", openApiPaths: ["/v3/api-docs"] });

  app.get("/health", { schema: { response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({
    status: "ok",
  }));
  app.get("/stocks", { schema: { response: { 200: Type.Array(SecuritySchema) } } }, async () => universe);
  app.get(
    "/stocks/:ticker",
    {
      schema: {
        params: Type.Object({ ticker: Type.String({ maxLength: 64 }) }),
        response: { 200: SecuritySchema, 404: NotFoundSchema },
      },
    },
    async (request, reply) => {
      // Exact, case-sensitive match, as in the reference.
      const security = byTicker.get(request.params.ticker);
      if (security) return security;
      return reply.code(404).send({
        statusCode: 404,
        message: `Stock ticker "${request.params.ticker}" not found.`,
        error: "Not Found",
      });
    },
  );
  return app;
}
