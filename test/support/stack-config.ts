/** Reads the committed Pulumi project and stack files, as the Pulumi CLI would hand them to the program. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");

export function projectFile(): { name: string; config: Record<string, Record<string, unknown>> } {
  return parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
}

/** A stack's config as `traderx:<key>` -> string, the way the Pulumi runtime exposes it. */
export function stackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
  const file = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const values = Object.fromEntries(Object.entries(file.config).map(([key, value]) => [key, String(value)]));
  return { ...values, ...overrides };
}

/** A stand-in for the secret the README tells users to set before the first `pulumi up`. */
export const TEST_DB_PASSWORD = "test-only-db-password";
