/** The migration Job: waits for the database, migrates, sets up roles, exits 0 (or 1 with the reason). */
import { createLogger } from "@traderx/service-lib";
import { migrationConfig } from "./config.js";
import { migrate } from "./migrate.js";

const logger = createLogger("database-migrations", process.env);

async function main(): Promise<void> {
  const config = migrationConfig(process.env);
  const deadline = Date.now() + config.waitSeconds * 1000;
  for (;;) {
    try {
      const report = await migrate(config.owner, config.roles, logger);
      logger.info(report, "database is up to date");
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const unreachable =
        code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "57P03" || code === "EAI_AGAIN";
      if (!unreachable || Date.now() > deadline) throw error;
      logger.warn({ err: error }, "database not reachable yet; retrying");
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    logger.fatal({ err: error }, `migration failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
