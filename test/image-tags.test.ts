import { expect } from "chai";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { builtWorkloads, workloadByName } from "../components/catalog";
import { imageRepository, imageSourceState } from "../components/images/image-tag";

/** A throw-away repository with the shared build files and two services. */
async function scratchRepo(): Promise<{ root: string; write(path: string, content: string): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "traderx-tags-"));
  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  };
  await write("images/Dockerfile", "FROM node\n");
  await write("images/.dockerignore", "**/node_modules\n**/dist\n**/test\n**/*.test.ts\n");
  await write("images/package.json", "{}\n");
  await write("images/package-lock.json", "{}\n");
  await write("images/tsconfig.base.json", "{}\n");
  await write("images/service-lib/src/index.ts", "export {};\n");
  await write("images/reference-data/src/main.ts", "console.log('reference-data');\n");
  await write("images/people-service/src/main.ts", "console.log('people');\n");
  return { root, write };
}

describe("image content tags", () => {
  const referenceData = workloadByName("reference-data");
  const people = workloadByName("people-service");
  let repo: Awaited<ReturnType<typeof scratchRepo>>;
  const tags = () => [
    imageSourceState(referenceData, repo.root).tag,
    imageSourceState(people, repo.root).tag,
  ];

  beforeEach(async () => {
    repo = await scratchRepo();
  });
  afterEach(() => rm(repo.root, { recursive: true, force: true }));

  it("gives the same source the same tag", () => {
    expect(tags()).to.deep.equal(tags());
    expect(tags()[0]).to.match(/^[0-9a-f]{16}$/);
    expect(tags()[0]).not.to.equal(tags()[1]);
  });

  it("changes only the changed service's tag", async () => {
    const [referenceBefore, peopleBefore] = tags();
    await repo.write("images/reference-data/src/main.ts", "console.log('reference-data v2');\n");
    const [referenceAfter, peopleAfter] = tags();
    expect(referenceAfter).not.to.equal(referenceBefore);
    expect(peopleAfter).to.equal(peopleBefore);
  });

  it("changes every tag when a shared input (the service library) changes", async () => {
    const before = tags();
    await repo.write("images/service-lib/src/index.ts", "export const changed = true;\n");
    const after = tags();
    expect(after[0]).not.to.equal(before[0]);
    expect(after[1]).not.to.equal(before[1]);
  });

  it("ignores what .dockerignore keeps out of the build context", async () => {
    const before = tags();
    await repo.write("images/reference-data/node_modules/x/index.js", "junk\n");
    await repo.write("images/reference-data/dist/main.js", "built\n");
    await repo.write("images/reference-data/test/a.test.ts", "test\n");
    await repo.write("images/reference-data/src/b.test.ts", "test\n");
    expect(tags()).to.deep.equal(before);
  });

  it("does not fail on a missing or empty service folder, and reports it as not buildable", async () => {
    const explorer = workloadByName("api-explorer");
    const missing = imageSourceState(explorer, repo.root);
    expect(missing.buildable).to.equal(false);
    await mkdir(join(repo.root, "images/api-explorer"));
    expect(imageSourceState(explorer, repo.root).buildable).to.equal(false);
    await repo.write("images/api-explorer/src/main.ts", "export {};\n");
    const present = imageSourceState(explorer, repo.root);
    expect(present.buildable).to.equal(true);
    expect(present.tag).not.to.equal(missing.tag);
  });

  it("names every built image traderx/<folder>", () => {
    for (const workload of builtWorkloads()) {
      expect(imageRepository(workload)).to.match(/^traderx\/[a-z0-9-]+$/);
    }
  });
});
