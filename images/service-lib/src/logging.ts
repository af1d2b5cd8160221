/** Structured JSON logs: one line per event, carrying the trace and correlation ids of the active context. */
import { pino, type DestinationStream, type Logger } from "pino";
import type { Env } from "./config.js";
import { logTraceFields } from "./telemetry.js";

export type { Logger } from "pino";

export function createLogger(service: string, env: Env, destination?: DestinationStream): Logger {
  return pino(
    {
      level: env.LOG_LEVEL?.trim() || "info",
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: logTraceFields,
    },
    destination,
  );
}
