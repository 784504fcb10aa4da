import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { forkPod } from "../../services/pods/fork";
import { MemoryStorage } from "../support/pods";

const LIMITS = { maxBytes: 1 << 20, maxEntries: 100 };
const recipe = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: "parent", golem: { exec: "python3 [@]script/a.py", output: "out", log: "log" }, futureField: { kept: true }, ...extra });

describe("pods: fork by reference (no chain)", () => {
  let work: string;
  let storage: MemoryStorage;
  beforeEach(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "lure-fork-"));
    storage = new MemoryStorage();
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("writes the files, adds forkedFrom, keeps fields it does not know and creates output and log folders", async () => {
    const ref = storage.putCollection({ "recipe.json": recipe(), "script/a.py": "print('hi')", "payload/in.txt": "x" }, "recipe.json");
    const dir = path.join(work, "copy");
    const result = await forkPod({ source: { ref }, dir, storage, limits: LIMITS, name: "child" });
    expect(result.forkedFrom).to.deep.equal({ ref });
    const written: unknown = JSON.parse(await readFile(path.join(dir, "recipe.json"), "utf8"));
    expect(written).to.deep.include({ name: "child", forkedFrom: { ref }, futureField: { kept: true } });
    expect((await readdir(dir)).sort()).to.deep.equal(["log", "out", "payload", "recipe.json", "script"]);
  });

  it("refuses a collection whose paths climb out, leaving no folder behind", async () => {
    const ref = storage.putCollection({ "recipe.json": recipe(), "../../escaped.txt": "x" });
    const dir = path.join(work, "copy");
    try {
      await forkPod({ source: { ref }, dir, storage, limits: LIMITS });
      expect.fail("a hostile collection was forked");
    } catch (error) {
      expect((error as Error).message).to.match(/entry "\.\.\/\.\.\/escaped\.txt" escapes the destination folder/);
    }
    expect(await readdir(work)).to.deep.equal([]);
  });

  it("refuses a pod whose recipe is invalid, a non-empty folder and a bad reference", async () => {
    const bad = storage.putCollection({ "recipe.json": JSON.stringify({ name: "p", golem: { exec: "" } }) });
    try {
      await forkPod({ source: { ref: bad }, dir: path.join(work, "a"), storage, limits: LIMITS });
      expect.fail("an invalid recipe was forked");
    } catch (error) {
      expect((error as Error).message).to.match(/recipe\.json: golem\.exec: expected a non-empty command line/);
    }
    await writeFile(path.join(work, "occupied.txt"), "x");
    const good = storage.putCollection({ "recipe.json": recipe() });
    try {
      await forkPod({ source: { ref: good }, dir: work, storage, limits: LIMITS });
      expect.fail("a non-empty folder was used");
    } catch (error) {
      expect((error as Error).message).to.equal(`${work}: the folder is not empty; fork into a new or empty folder`);
    }
    try {
      await forkPod({ source: { ref: "XYZ" }, dir: path.join(work, "b"), storage, limits: LIMITS });
      expect.fail("a bad reference was accepted");
    } catch (error) {
      expect((error as Error).message).to.equal('expected a 64-hex Swarm reference, got "XYZ"');
    }
  });

  it("a fork by id needs the chain", async () => {
    try {
      await forkPod({ source: { podId: 1n }, dir: path.join(work, "c"), storage, limits: LIMITS });
      expect.fail("forked by id without a chain");
    } catch (error) {
      expect((error as Error).message).to.equal("pod 1: forking by pod id needs the chain");
    }
  });
});
