export * from "./migrations.js";
export * from "./migrate.js";
export * from "./config.js";
