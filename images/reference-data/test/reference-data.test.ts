import { expect } from "chai";
import { Service } from "@traderx/service-lib";
import { serverErrorsFor } from "@traderx/service-lib/testing";
import { buildReferenceData, referenceDataConfig } from "../src/app.js";
import { securityUniverse } from "../src/securities.js";

describe("reference-data", () => {
  let service: Service;
  let base: string;

  before(async () => {
    service = new Service("reference-data", { LOG_LEVEL: "silent" });
    const app = await buildReferenceData(service, referenceDataConfig({}));
    base = `http://127.0.0.1:${await service.listen(app, 0, "127.0.0.1")}`;
  });
  after(() => service.stop());

  it("serves /health", async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: "ok" });
  });

  it("lists the 20 tickers in the contract's order", async () => {
    const stocks = (await (await fetch(`${base}/stocks`)).json()) as {
      ticker: string;
      companyName: string;
    }[];
    expect(stocks.map((stock) => stock.ticker).join(",")).to.equal(
      "GOOGL,AMZN,AAPL,BAC,COF,C,DFS,FIS,GS,IBM,JPM,META,MSFT,MS,NVDA,TSLA,UBS,DB,FNMA,FNF",
    );
    expect(stocks[0]).to.deep.equal({ ticker: "GOOGL", companyName: "Alphabet (Class A)" });
  });

  it("finds a ticker exactly and case-sensitively", async () => {
    expect(await (await fetch(`${base}/stocks/IBM`)).json()).to.deep.equal({
      ticker: "IBM",
      companyName: "IBM",
    });
    const lower = await fetch(`${base}/stocks/ibm`);
    expect(lower.status).to.equal(404);
    expect(await lower.json()).to.deep.equal({
      statusCode: 404,
      message: 'Stock ticker "ibm" not found.',
      error: "Not Found",
    });
    expect((await fetch(`${base}/stocks/DOES_NOT_EXIST`)).status).to.equal(404);
  });

  it("allows any origin when CORS_ALLOWED_ORIGINS is unset", async () => {
    const response = await fetch(`${base}/stocks`, { headers: { origin: "http://localhost:8080" } });
    expect(response.headers.get("access-control-allow-origin")).to.equal("*");
  });

  it("filters and limits the universe from its settings", () => {
    const config = referenceDataConfig({
      REFERENCE_DATA_SUPPORTED_TICKERS: "IBM,aapl,ZZZZ",
      REFERENCE_DATA_MAX_TICKERS: "1",
    });
    expect(securityUniverse(config.supportedTickers, config.maxTickers)).to.deep.equal([
      { ticker: "AAPL", companyName: "Apple" },
    ]);
    expect(() => referenceDataConfig({ REFERENCE_DATA_MAX_TICKERS: "many" })).to.throw(
      /REFERENCE_DATA_MAX_TICKERS/,
    );
  });

  it("serves its OpenAPI document and metrics", async () => {
    const document = (await (await fetch(`${base}/v3/api-docs`)).json()) as { paths: object };
    expect(document.paths).to.have.property("/stocks/{ticker}");
    expect(await (await fetch(`${base}/metrics`)).text()).to.contain("http_server_requests_seconds_count");
  });

  it("answers generated bad input without a 5xx", async () => {
    expect(
      await serverErrorsFor(base, [
        { method: "GET", path: "/stocks/{ticker}" },
        { method: "POST", path: "/stocks", body: { a: 1 } },
      ]),
    ).to.deep.equal([]);
    expect((await fetch(`${base}/health`)).status).to.equal(200);
  });
});
