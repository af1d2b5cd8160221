/** Checking data that does not come through an HTTP route (NATS messages) against a TypeBox schema. */
import { Type, type Static, type TSchema } from "@fastify/type-provider-typebox";
import { Compile } from "typebox/compile";

export function schemaCheck<T extends TSchema>(schema: T): (value: unknown) => value is Static<T> {
  const validator = Compile(schema);
  return (value: unknown): value is Static<T> => validator.Check(value);
}

/**
 * Schemas shared by the services' routes and messages. Ids and quantities are PostgreSQL INTEGERs, so
 * values outside that range are bad input (400), not a database error (500).
 */
const INT32 = { minimum: -2147483648, maximum: 2147483647 };
export const Int32 = Type.Integer(INT32);
export const PositiveInt32 = Type.Integer({ ...INT32, minimum: 1 });
export const TradeSide = Type.Union([Type.Literal("Buy"), Type.Literal("Sell")]);
