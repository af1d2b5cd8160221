/** people-service (contract 1.3): the directory, with the reference's case-insensitive routes and queries. */
import { parse as parseQuery } from "node:querystring";
import swaggerUi from "@fastify/swagger-ui";
import { envPort, Type, type Env, type HttpService, type Service } from "@traderx/service-lib";
import { findPerson, matchingPeople } from "./people.js";

export function peopleServiceConfig(env: Env) {
  return { port: envPort(env, "PEOPLE_SERVICE_PORT", 18089) };
}

/** Query parameter names as the routes declare them; callers may spell them in any case. */
const QUERY_NAMES = ["LogonId", "EmployeeId", "SearchText", "Take"];
const canonicalName = new Map(QUERY_NAMES.map((name) => [name.toLowerCase(), name]));

function caseInsensitiveQuery(search: string): Record<string, unknown> {
  const parsed = parseQuery(search);
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [canonicalName.get(key.toLowerCase()) ?? key, value]),
  );
}

const PersonSchema = Type.Object({
  logonId: Type.String(),
  fullName: Type.String(),
  email: Type.String(),
  employeeId: Type.String(),
  department: Type.String(),
  photoUrl: Type.String(),
});
const ErrorSchema = Type.Object({ error: Type.String() });
const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  traceId: Type.String(),
});
const IdQuery = Type.Object({
  LogonId: Type.Optional(Type.String({ maxLength: 100 })),
  EmployeeId: Type.Optional(Type.String({ maxLength: 100 })),
});

/** The RFC 7807 body ASP.NET sends for a 404. */
function problemNotFound(traceId: string) {
  return {
    type: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    title: "Not Found",
    status: 404,
    traceId,
  };
}

export async function buildPeopleService(service: Service): Promise<HttpService> {
  const app = await service.httpService({
    title: "TraderX people service",
    openApiPaths: ["/swagger/v1/swagger.json"],
    caseInsensitiveRoutes: true,
    querystringParser: caseInsensitiveQuery,
  });
  await app.register(swaggerUi, { routePrefix: "/swagger", uiConfig: { url: "./v1/swagger.json" } });

  // As in ASP.NET: /swagger redirects to /swagger/index.html (under the edge's prefix); that page is the
  // UI at /swagger/, whose asset links are relative and so work behind the edge.
  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0].toLowerCase();
    if (path === "/swagger") {
      const prefix = String(request.headers["x-forwarded-prefix"] ?? "");
      return reply.redirect(
        `${/^\/[\w\-/]*$/.test(prefix) ? prefix.replace(/\/$/, "") : ""}/swagger/index.html`,
        301,
      );
    }
    if (path === "/swagger/index.html") return reply.redirect("./", 302);
  });

  const missingId = { error: "Either LogonId or EmployeeId must be provided." };

  app.get(
    "/People/GetPerson",
    {
      schema: { querystring: IdQuery, response: { 200: PersonSchema, 400: ErrorSchema, 404: ProblemSchema } },
    },
    async (request, reply) => {
      const { LogonId, EmployeeId } = request.query;
      if (!LogonId?.trim() && !EmployeeId?.trim()) return reply.code(400).send(missingId);
      const person = findPerson(LogonId?.trim() ? LogonId : undefined, EmployeeId);
      if (person) return person;
      return reply.code(404).type("application/problem+json").send(problemNotFound(request.id));
    },
  );
  app.get("/People/ValidatePerson", { schema: { querystring: IdQuery } }, async (request, reply) => {
    const { LogonId, EmployeeId } = request.query;
    if (!LogonId?.trim() && !EmployeeId?.trim()) return reply.code(400).send(missingId);
    if (!findPerson(LogonId?.trim() ? LogonId : undefined, EmployeeId)) {
      return reply.code(404).type("application/problem+json").send(problemNotFound(request.id));
    }
    return reply.code(200).send();
  });
  app.get(
    "/People/GetMatchingPeople",
    {
      schema: {
        querystring: Type.Object({
          SearchText: Type.Optional(Type.String({ maxLength: 100 })),
          Take: Type.Optional(Type.Integer({ default: 10 })),
        }),
        response: {
          200: Type.Object({ people: Type.Array(PersonSchema) }),
          400: ErrorSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const searchText = request.query.SearchText?.trim() ?? "";
      if (searchText.length < 3) {
        return reply.code(400).send({ error: "SearchText must be at least 3 characters long." });
      }
      const take = request.query.Take && request.query.Take > 0 ? request.query.Take : 10;
      const people = matchingPeople(searchText, take);
      if (people.length > 0) return { people };
      return reply.code(404).type("application/problem+json").send(problemNotFound(request.id));
    },
  );

  // The catalog's probes: the directory is in memory, so alive means ready.
  app.get("/health/alive", { schema: { hide: true } }, async () => true);
  app.get("/health/ready", { schema: { hide: true } }, async () => true);
  return app;
}
