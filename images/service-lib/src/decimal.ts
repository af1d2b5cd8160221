/**
 * Money, prices and timestamps as the contract states them. Decimals have three places, rounded HALF_UP
 * (half away from zero, like Java's BigDecimal); arithmetic on them runs in integer thousandths, never in
 * binary floating point, so results match the reference to the last digit.
 */

/** A number as integer thousandths, rounded half up on its decimal digits. */
export function toThousandths(value: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  const [whole, fraction = ""] = Math.abs(value).toFixed(10).split(".");
  const truncated = BigInt(whole) * 1000n + BigInt(fraction.slice(0, 3).padEnd(3, "0"));
  const rounded = Number(fraction[3]) >= 5 ? truncated + 1n : truncated;
  return value < 0 ? -rounded : rounded;
}

export function fromThousandths(thousandths: bigint): number {
  return Number(thousandths) / 1000;
}

/** `value` rounded half up to three decimals. */
export function roundPrice(value: number): number {
  return fromThousandths(toThousandths(value));
}

/** `numerator / denominator`, rounded half up (away from zero) to an integer. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const abs = (value: bigint) => (value < 0n ? -value : value);
  if (2n * abs(remainder) < abs(denominator)) return quotient;
  return numerator < 0n === denominator < 0n ? quotient + 1n : quotient - 1n;
}

/** A timestamp in the Spring services' ISO-offset form: `2026-07-22T16:45:53.270+00:00`. */
export function isoOffset(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
