/**
 * A local stand-in for the Node.js base image (`node:22-bookworm-slim`), which cannot be pulled here:
 * a minimal Debian bookworm root from debootstrap, the machine's own node and npm, the machine's CA
 * bundle (registry traffic goes through a proxy only the host's bundle trusts) and the `node` user with
 * uid 1000, as in the official image. It is tagged by a hash of everything that goes into it, so a second
 * run finds it and does not rebuild it.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, realpathSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { docker, dockerCli } from "./docker-engine";

const execFileAsync = promisify(execFile);

const SUITE = "bookworm";
const VARIANT = "minbase";
const DEBIAN_MIRROR = "http://deb.debian.org/debian";
const HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
/** Same name and ids as the user of the official Node.js images. */
const NODE_USER = { name: "node", uid: 1000, gid: 1000 };
/** npm settings that decide how `npm ci` inside a build reaches the registry. */
const NPM_TRANSPORT_KEYS = ["registry", "proxy", "https-proxy", "noproxy", "strict-ssl"];
/** Builds need no audit, funding or update checks; each is a registry round trip. */
const NPM_QUIET_SETTINGS = ["audit=false", "fund=false", "update-notifier=false"];
export const STAND_IN_REPOSITORY = "traderx-stand-in/node";

export interface StandInBase {
  /** `traderx-stand-in/node:<hash>`. */
  tag: string;
  /** Whether this run built it (false: found in the local image store). */
  built: boolean;
  seconds: number;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The npm installation the machine's `npm` command runs. */
async function hostNpmRoot(): Promise<string> {
  const { stdout } = await execFileAsync("sh", ["-c", "command -v npm"]);
  // bin/npm -> lib/node_modules/npm/bin/npm-cli.js
  return resolve(dirname(realpathSync(stdout.trim())), "..");
}

/** The host's npm registry/proxy settings, rendered as the stand-in's global npmrc. */
async function renderNpmrc(): Promise<string> {
  const { stdout } = await execFileAsync("npm", ["config", "list", "--json"]);
  const config = JSON.parse(stdout) as Record<string, unknown>;
  const lines = [`cafile=${HOST_CA_BUNDLE}`, ...NPM_QUIET_SETTINGS];
  for (const key of NPM_TRANSPORT_KEYS) {
    const value = config[key];
    const text = Array.isArray(value) ? value.join(",") : String(value ?? "");
    if (text !== "" && text !== "null") lines.push(`${key}=${text}`);
  }
  return `${lines.join("\n")}\n`;
}

interface StandInInputs {
  nodeBinary: string;
  nodeVersion: string;
  npmRoot: string;
  npmVersion: string;
  npmrc: string;
  /** Hash of everything above plus the CA bundle and this recipe. */
  hash: string;
}

async function standInInputs(): Promise<StandInInputs> {
  const nodeBinary = process.execPath;
  const npmRoot = await hostNpmRoot();
  const npmVersion = (JSON.parse(readFileSync(join(npmRoot, "package.json"), "utf8")) as { version: string })
    .version;
  const npmrc = await renderNpmrc();
  const hash = createHash("sha256")
    .update(
      JSON.stringify({
        suite: SUITE,
        variant: VARIANT,
        mirror: DEBIAN_MIRROR,
        user: NODE_USER,
        node: await sha256OfFile(nodeBinary),
        npmVersion,
        npmrc,
        caBundle: await sha256OfFile(HOST_CA_BUNDLE),
        // Any change to how the stand-in is made makes a new one.
        recipe: await sha256OfFile(__filename),
      }),
    )
    .digest("hex");
  return { nodeBinary, nodeVersion: process.version, npmRoot, npmVersion, npmrc, hash };
}

async function imageExists(tag: string): Promise<boolean> {
  try {
    await docker(["image", "inspect", "--format", "{{.Id}}", tag]);
    return true;
  } catch {
    return false;
  }
}

async function run(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${`${stdout}${stderr}`.trim().slice(-4000)}`, {
      cause: error,
    });
  }
}

/** Adds node, npm, the CA bundle, the npm config and the node user to a debootstrapped root. */
async function completeRoot(root: string, inputs: StandInInputs): Promise<void> {
  await cp(inputs.nodeBinary, join(root, "usr/local/bin/node"));
  const npmTarget = join(root, "usr/local/lib/node_modules/npm");
  await mkdir(dirname(npmTarget), { recursive: true });
  await cp(inputs.npmRoot, npmTarget, { recursive: true, verbatimSymlinks: true });
  await symlink("../lib/node_modules/npm/bin/npm-cli.js", join(root, "usr/local/bin/npm"));
  await symlink("../lib/node_modules/npm/bin/npx-cli.js", join(root, "usr/local/bin/npx"));
  await mkdir(join(root, "etc/ssl/certs"), { recursive: true });
  await cp(HOST_CA_BUNDLE, join(root, HOST_CA_BUNDLE));
  // npm's global config lives under its prefix, which follows node's location: /usr/local.
  await mkdir(join(root, "usr/local/etc"), { recursive: true });
  await writeFile(join(root, "usr/local/etc/npmrc"), inputs.npmrc);
  await run("chroot", [root, "groupadd", "--gid", String(NODE_USER.gid), NODE_USER.name]);
  await run("chroot", [
    root,
    "useradd",
    ...["--uid", String(NODE_USER.uid), "--gid", String(NODE_USER.gid)],
    ...["--shell", "/bin/bash", "--create-home", NODE_USER.name],
  ]);
  // What a container never needs: package indexes, caches, documentation.
  for (const leftover of [
    "var/lib/apt/lists",
    "var/cache/apt",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
  ]) {
    await rm(join(root, leftover), { recursive: true, force: true });
    await mkdir(join(root, leftover), { recursive: true });
  }
}

/** `tar` of the root piped into `docker import`, with the image config of the official Node.js image. */
async function importRoot(root: string, tag: string, inputs: StandInInputs): Promise<void> {
  const changes = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    `ENV NODE_VERSION=${inputs.nodeVersion.replace(/^v/, "")}`,
    'CMD ["node"]',
  ];
  await new Promise<void>((resolvePromise, reject) => {
    const tar = spawn("tar", ["--numeric-owner", "-C", root, "-c", "."], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const importer = spawn(
      dockerCli(),
      ["import", ...changes.flatMap((change) => ["--change", change]), "-", tag],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let errors = "";
    tar.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    importer.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    tar.stdout.pipe(importer.stdin);
    tar.on("error", reject);
    importer.on("error", reject);
    importer.on("close", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`docker import of ${root} failed: ${errors.trim()}`)),
    );
  });
}

/** A new stand-in replaces the older ones (another node, CA bundle or recipe); an image in use stays. */
async function removeOlderStandIns(current: string): Promise<void> {
  const listed = await docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", STAND_IN_REPOSITORY]);
  const older = listed.split("\n").filter((tag) => tag !== "" && tag !== current);
  if (older.length > 0) await docker(["rmi", ...older]).catch(() => undefined);
}

/** Returns the stand-in's tag, building it first when no image with its input hash exists. */
export async function ensureStandInBase(): Promise<StandInBase> {
  const started = Date.now();
  const inputs = await standInInputs();
  const tag = `${STAND_IN_REPOSITORY}:${inputs.hash.slice(0, 16)}`;
  if (await imageExists(tag)) return { tag, built: false, seconds: (Date.now() - started) / 1000 };
  if (process.getuid?.() !== 0) throw new Error(`building the stand-in base ${tag} needs root (debootstrap)`);
  if (!existsSync("/usr/sbin/debootstrap")) {
    throw new Error("debootstrap is missing; install it with: apt-get install -y debootstrap");
  }
  console.log(
    `stand-in base: building ${tag} (debootstrap ${VARIANT} ${SUITE} + node ${inputs.nodeVersion})`,
  );
  const workDir = await mkdtemp(join(tmpdir(), "traderx-stand-in-"));
  try {
    const root = join(workDir, "rootfs");
    await run("debootstrap", [`--variant=${VARIANT}`, SUITE, root, DEBIAN_MIRROR]);
    await completeRoot(root, inputs);
    await importRoot(root, tag, inputs);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  await removeOlderStandIns(tag);
  return { tag, built: true, seconds: (Date.now() - started) / 1000 };
}
