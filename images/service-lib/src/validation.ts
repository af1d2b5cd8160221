/** Checking data that does not come through an HTTP route (NATS messages) against a TypeBox schema. */
import type { Static, TSchema } from "@fastify/type-provider-typebox";
import { Compile } from "typebox/compile";

export function schemaCheck<T extends TSchema>(schema: T): (value: unknown) => value is Static<T> {
  const validator = Compile(schema);
  return (value: unknown): value is Static<T> => validator.Check(value);
}
