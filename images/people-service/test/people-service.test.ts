import { expect } from "chai";
import { Service } from "@traderx/service-lib";
import { serverErrorsFor } from "@traderx/service-lib/testing";
import { buildPeopleService } from "../src/app.js";

describe("people-service", () => {
  let service: Service;
  let base: string;

  before(async () => {
    service = new Service("people-service", {
      LOG_LEVEL: "silent",
      CORS_ALLOWED_ORIGINS: "http://localhost:8080",
    });
    base = `http://127.0.0.1:${await service.listen(await buildPeopleService(service), 0, "127.0.0.1")}`;
  });
  after(() => service.stop());

  const get = (path: string) => fetch(`${base}${path}`);

  it("finds a person by logon id or employee id, with the route and query names in any case", async () => {
    const alice = {
      logonId: "user01",
      fullName: "Alice Johnson",
      email: "alice.johnson@example.com",
      employeeId: "E0001",
      department: "HR",
      photoUrl: "https://example.com/photos/user01.jpg",
    };
    expect(await (await get("/People/GetPerson?LogonId=user01")).json()).to.deep.equal(alice);
    expect(await (await get("/people/getperson?logonId=user01")).json()).to.deep.equal(alice);
    expect(
      ((await (await get("/People/GetPerson?EmployeeId=E0010")).json()) as { logonId: string }).logonId,
    ).to.equal("user10");
    expect(
      ((await (await get("/People/GetPerson?LogonId=user02&EmployeeId=E0001")).json()) as { logonId: string })
        .logonId,
    ).to.equal("user02");
  });

  it("answers an unknown person with a 404 problem and missing ids with a 400", async () => {
    const unknown = await get("/People/GetPerson?LogonId=DOES_NOT_EXIST");
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get("content-type")).to.contain("application/problem+json");
    expect(await unknown.json()).to.include({ status: 404, title: "Not Found" });
    expect((await get("/People/GetPerson?LogonId=USER01")).status).to.equal(404);
    const missing = await get("/People/GetPerson?LogonId=%20");
    expect(missing.status).to.equal(400);
    expect(await missing.json()).to.deep.equal({ error: "Either LogonId or EmployeeId must be provided." });
  });

  it("validates a person with an empty 200", async () => {
    const valid = await get("/People/ValidatePerson?LogonId=user01");
    expect(valid.status).to.equal(200);
    expect(await valid.text()).to.equal("");
    expect((await get("/People/ValidatePerson?LogonId=nobody")).status).to.equal(404);
    expect((await get("/People/ValidatePerson")).status).to.equal(400);
  });

  it("matches people by substring of name or logon id, taking the first Take hits", async () => {
    const five = (await (await get("/People/GetMatchingPeople?SearchText=user&Take=5")).json()) as {
      people: { logonId: string }[];
    };
    expect(five.people.map((person) => person.logonId)).to.deep.equal([
      "user01",
      "user02",
      "user03",
      "user04",
      "user05",
    ]);
    const defaulted = (await (await get("/People/GetMatchingPeople?searchtext=user&take=0")).json()) as {
      people: unknown[];
    };
    expect(defaulted.people).to.have.length(10);
    const byName = (await (await get("/People/GetMatchingPeople?SearchText=Smith")).json()) as {
      people: { logonId: string }[];
    };
    expect(byName.people.map((person) => person.logonId)).to.deep.equal(["user02"]);
    expect((await get("/People/GetMatchingPeople?SearchText=smith")).status).to.equal(404);
    expect((await get("/People/GetMatchingPeople?SearchText=ab")).status).to.equal(400);
    expect((await get("/People/GetMatchingPeople?SearchText=user&Take=many")).status).to.equal(400);
  });

  it("serves Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json", async () => {
    const redirect = await fetch(`${base}/swagger`, {
      redirect: "manual",
      headers: { "x-forwarded-prefix": "/people-service" },
    });
    expect(redirect.status).to.equal(301);
    expect(redirect.headers.get("location")).to.equal("/people-service/swagger/index.html");
    const page = await get("/swagger");
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain("swagger-ui");
    const document = (await (await get("/swagger/v1/swagger.json")).json()) as { paths: object };
    expect(document.paths).to.have.property("/People/GetPerson");
  });

  it("serves its probe paths and echoes the allowed origin", async () => {
    expect(await (await get("/health/alive")).json()).to.equal(true);
    expect(await (await get("/health/ready")).json()).to.equal(true);
    const cors = await fetch(`${base}/People/GetMatchingPeople?SearchText=user&Take=1`, {
      headers: { origin: "http://localhost:8080" },
    });
    expect(cors.headers.get("access-control-allow-origin")).to.equal("http://localhost:8080");
  });

  it("answers generated bad input without a 5xx", async () => {
    const samples = ["GetPerson", "ValidatePerson"].map((route) => ({
      method: "GET" as const,
      path: `/People/${route}`,
      query: { LogonId: "user01", EmployeeId: "E0001" },
    }));
    samples.push({
      method: "GET",
      path: "/People/GetMatchingPeople",
      query: { SearchText: "user", Take: "3" },
    } as never);
    expect(await serverErrorsFor(base, samples)).to.deep.equal([]);
    expect((await get("/health/alive")).status).to.equal(200);
  });
});
