/**
 * Whether a Dockerfile takes its base image through the `BASE_IMAGE` build arg. The checks swap only that
 * arg for the local stand-in, so a `FROM` with a fixed image would build on something else, or not at all
 * where registries cannot be reached. This reads the Dockerfile before any build so the failure names the
 * line; the built image is checked again against the stand-in's layers (see image-build.ts).
 */
import { BASE_IMAGE_ARG } from "../../components/catalog";

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with line continuations joined and comments dropped; honours the `escape` directive. */
function instructionsOf(dockerfile: string): Instruction[] {
  const lines = dockerfile.split(/\r?\n/);
  const escapeDirective = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(lines[0] ?? "");
  const escape = escapeDirective ? escapeDirective[1] : "\\";
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (!pending && trimmed === "")) return;
    const continues = trimmed.endsWith(escape);
    const text = continues ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { ...pending, text: `${pending.text} ${text}` } : { text, line: index + 1 };
    if (continues) return;
    const [keyword, ...rest] = pending.text.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(" "), line: pending.line });
    pending = undefined;
  });
  return instructions;
}

function referencesArg(image: string, arg: string): boolean {
  return image.includes(`$${arg}`) || new RegExp(`\\$\\{${arg}(:[-+][^}]*)?\\}`).test(image);
}

/** Problems with how the Dockerfile chooses its bases; empty when every FROM uses BASE_IMAGE. */
export function baseImageProblems(dockerfile: string, arg = BASE_IMAGE_ARG): string[] {
  const problems: string[] = [];
  const globalArgs = new Set<string>();
  const stages = new Set<string>();
  let seenFrom = false;
  for (const { keyword, args, line } of instructionsOf(dockerfile)) {
    if (keyword === "ARG" && !seenFrom) {
      for (const declaration of args.split(/\s+/)) globalArgs.add(declaration.split("=")[0]);
    }
    if (keyword !== "FROM") continue;
    seenFrom = true;
    const words = args.split(/\s+/).filter((word) => !word.startsWith("--"));
    const [image = "", as, stage] = words;
    const fromStage = stages.has(image.toLowerCase()) || image === "scratch";
    if (as?.toUpperCase() === "AS" && stage) stages.add(stage.toLowerCase());
    if (fromStage) continue;
    if (!referencesArg(image, arg)) {
      problems.push(`line ${line}: FROM ${image} does not take its base from ARG ${arg}`);
    } else if (!globalArgs.has(arg)) {
      problems.push(
        `line ${line}: FROM ${image} uses ${arg}, but no ARG ${arg} is declared before the first FROM`,
      );
    }
  }
  if (!seenFrom) problems.push("no FROM instruction");
  return problems;
}
