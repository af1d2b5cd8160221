// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { RingBuffer, createInspectorView, subjectMatcher } from "../src/site/inspector.js";

describe("RingBuffer", () => {
  it("keeps the newest items up to its capacity and counts what it dropped", () => {
    const buffer = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) buffer.push(i);
    expect(buffer.items()).toEqual([3, 4, 5]);
    expect(buffer.dropped).toBe(2);
    buffer.clear();
    expect([buffer.size, buffer.dropped, buffer.items()]).toEqual([0, 0, []]);
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});

describe("subject filter", () => {
  it("supports token wildcards, tail wildcards and plain substrings", () => {
    expect(["pricing.IBM", "pricing.IBM.x", "/orders"].filter(subjectMatcher("pricing.*"))).toEqual([
      "pricing.IBM",
    ]);
    expect(
      ["/accounts/22214/orders", "/accounts/22214/trades"].filter(subjectMatcher("/accounts/*/orders")),
    ).toEqual(["/accounts/22214/orders"]);
    expect(["pricing.IBM", "/trades"].filter(subjectMatcher("pricing.>"))).toEqual(["pricing.IBM"]);
    expect(["/accounts/1/trades", "/trades", "/orders"].filter(subjectMatcher("TRADES"))).toEqual([
      "/accounts/1/trades",
      "/trades",
    ]);
    expect(["a", "b"].filter(subjectMatcher("  "))).toEqual(["a", "b"]);
  });
});

const PAGE = `
  <input id="filter-input" /><button id="pause-btn">Pause</button><button id="clear-btn">Clear</button>
  <span id="connection-state"></span><span id="buffer-status"></span>
  <table><tbody id="messages"></tbody></table>`;

describe("inspector view", () => {
  beforeEach(() => {
    document.body.innerHTML = PAGE;
  });
  const message = (subject: string, n: number) => ({ receivedAt: new Date(n), subject, data: `{"n":${n}}` });
  const shownSubjects = () =>
    [...document.querySelectorAll("#messages tr td.subject")].map((td) => td.textContent);
  const status = () => document.getElementById("buffer-status")!.textContent;

  it("buffers up to MAX_BUFFER messages, newest first", () => {
    const view = createInspectorView(document, 2000);
    for (let n = 0; n < 2005; n++) view.add(message(n % 2 ? "pricing.IBM" : "/orders", n));
    view.render();
    expect(status()).toBe("2000 shown of 2000 buffered (ring buffer of 2000, 5 older dropped)");
    expect(document.querySelector("#messages td.payload")!.textContent).toBe('{"n":2004}');
  });

  it("filters, pauses and clears", async () => {
    const view = createInspectorView(document, 10);
    view.add(message("pricing.IBM", 1));
    view.add(message("/orders", 2));
    view.render();
    const filter = document.getElementById("filter-input") as HTMLInputElement;
    filter.value = "pricing.*";
    filter.dispatchEvent(new Event("input"));
    expect(shownSubjects()).toEqual(["pricing.IBM"]);

    document.getElementById("pause-btn")!.click();
    view.add(message("pricing.MSFT", 3));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(shownSubjects()).toEqual(["pricing.IBM"]);
    expect(status()).toContain("paused, 1 new since");
    document.getElementById("pause-btn")!.click();
    expect(shownSubjects()).toEqual(["pricing.MSFT", "pricing.IBM"]);

    document.getElementById("clear-btn")!.click();
    expect(shownSubjects()).toEqual([]);
    expect(status()).toBe("0 shown of 0 buffered (ring buffer of 10)");
  });

  it("shows the connection state", () => {
    const view = createInspectorView(document, 10);
    view.setState("connected");
    expect(document.getElementById("connection-state")!.className).toBe("state-connected");
  });
});
