import { describe, expect, it } from "vitest";
import { errorText } from "./http";

describe("server error text", () => {
  it("takes the reason from each error style the services use", () => {
    expect(errorText(400, '{"error":"invalid order payload"}')).toBe("invalid order payload (HTTP 400)");
    expect(
      errorText(404, '{"statusCode":404,"message":"Stock ticker \\"X\\" not found.","error":"Not Found"}'),
    ).toBe('Stock ticker "X" not found. (HTTP 404)');
    expect(errorText(404, "DOES_NOT_EXIST not found in People service.")).toBe(
      "DOES_NOT_EXIST not found in People service. (HTTP 404)",
    );
    expect(errorText(404, '{"title":"Not Found","status":404,"detail":"No person user99"}')).toBe(
      "No person user99 (HTTP 404)",
    );
    expect(errorText(502, "")).toBe("HTTP 502");
  });
});
