import { expect } from "chai";
import { divideHalfUp, roundPrice, toThousandths } from "../src/index.js";

describe("decimal helpers", () => {
  it("round half up on the decimal digits", () => {
    expect(roundPrice(187.3125)).to.equal(187.313);
    expect(roundPrice(1.0005)).to.equal(1.001);
    expect(roundPrice(2.0004999)).to.equal(2);
    expect(roundPrice(-1.0005)).to.equal(-1.001);
    expect(toThousandths(136.25)).to.equal(136250n);
  });

  it("divide rounding half away from zero", () => {
    expect(divideHalfUp(5n, 2n)).to.equal(3n);
    expect(divideHalfUp(-5n, 2n)).to.equal(-3n);
    expect(divideHalfUp(7n, 3n)).to.equal(2n);
    expect(divideHalfUp(-7n, -3n)).to.equal(2n);
    expect(divideHalfUp(5n, -2n)).to.equal(-3n);
  });
});
