/** Real PostgreSQL and nats-server for service tests, plus process helpers. Not for production code. */
export * from "./processes.js";
export * from "./postgres.js";
export * from "./nats.js";
export * from "./bad-input.js";
