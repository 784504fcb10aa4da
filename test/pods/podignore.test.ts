import { expect } from "chai";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ignoreMatcher, parseIgnoreRules } from "../../services/pods/ignore";
import { PodFolderError, readPodFolder } from "../../services/pods/pack";
import { parseRecipe, type PodRecipe } from "../../services/pods/recipe";

const recipe = (golem: Record<string, unknown> = {}) =>
  parseRecipe({ name: "p", golem: { exec: "python3 [@]script/a.py", ...golem } }).recipe as PodRecipe;

describe("pods: .podignore and folder packing", () => {
  describe("patterns", () => {
    const matches = (rules: string, file: string, isDirectory = false) => ignoreMatcher(parseIgnoreRules(rules))(file, isDirectory);

    it("matches a bare name at any depth", () => {
      expect(matches("secret.txt", "secret.txt")).to.equal(true);
      expect(matches("secret.txt", "a/b/secret.txt")).to.equal(true);
      expect(matches("secret.txt", "a/secret.txt.bak")).to.equal(false);
    });

    it("anchors patterns with a slash at the root", () => {
      expect(matches("/build", "build", true)).to.equal(true);
      expect(matches("/build", "src/build", true)).to.equal(false);
      expect(matches("data/raw", "data/raw", true)).to.equal(true);
      expect(matches("data/raw", "x/data/raw", true)).to.equal(false);
    });

    it("* stays within a segment, ? is one character, ** crosses folders", () => {
      expect(matches("*.tmp", "a/b/c.tmp")).to.equal(true);
      expect(matches("/*.tmp", "a/c.tmp")).to.equal(false);
      expect(matches("file?.txt", "file1.txt")).to.equal(true);
      expect(matches("file?.txt", "file10.txt")).to.equal(false);
      expect(matches("data/**/*.csv", "data/x/y/z.csv")).to.equal(true);
      expect(matches("data/**/*.csv", "data/z.csv")).to.equal(true);
      expect(matches("**/cache", "a/b/cache", true)).to.equal(true);
      expect(matches("logs/**", "logs/a/b.txt")).to.equal(true);
    });

    it("a trailing slash matches folders only", () => {
      expect(matches("cache/", "cache", true)).to.equal(true);
      expect(matches("cache/", "cache", false)).to.equal(false);
    });

    it("skips comments and blank lines; ! re-includes; the last match wins", () => {
      const rules = "# comment\n\n*.log\n!keep.log\n";
      expect(matches(rules, "a.log")).to.equal(true);
      expect(matches(rules, "keep.log")).to.equal(false);
      expect(matches("\\#name", "#name")).to.equal(true);
      expect(matches("a.txt   ", "a.txt")).to.equal(true);
      expect(matches("a.b", "axb")).to.equal(false);
    });
  });

  describe("reading a pod folder", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "lure-pack-"));
      const files: Record<string, string> = {
        "recipe.json": "{}",
        "script/a.py": "print(1)",
        "payload/in.csv": "1,2",
        "payload/external/fetched.bin": "from swarm",
        "output/result.txt": "result",
        "logs/run.log": "log",
        "results/r.txt": "custom output",
        "notes/draft.tmp": "draft",
        "notes/keep.tmp": "kept",
        "big/model.bin": "weights",
        ".lure/keys/x.json": "secret",
      };
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      await chmod(path.join(dir, "script/a.py"), 0o755);
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("leaves out output, logs, resolved external payloads and local state by default", async () => {
      const files = await readPodFolder(dir, recipe());
      expect(files.map((file) => file.path)).to.deep.equal([
        "big/model.bin",
        "notes/draft.tmp",
        "notes/keep.tmp",
        "payload/in.csv",
        "recipe.json",
        "results/r.txt",
        "script/a.py",
      ]);
      expect(files.find((file) => file.path === "script/a.py")?.executable).to.equal(true);
      expect(files.find((file) => file.path === "recipe.json")?.executable).to.equal(false);
    });

    it("uses the recipe's own output and log folders", async () => {
      const files = await readPodFolder(dir, recipe({ output: "results", log: "notes" }));
      const paths = files.map((file) => file.path);
      expect(paths).to.include("output/result.txt");
      expect(paths).to.include("logs/run.log");
      expect(paths).to.not.include("results/r.txt");
      expect(paths.some((entry) => entry.startsWith("notes/"))).to.equal(false);
    });

    it("honours .podignore, including re-includes", async () => {
      await writeFile(path.join(dir, ".podignore"), "# not uploaded\n*.tmp\n!keep.tmp\n/big/\n!output/\n");
      const paths = (await readPodFolder(dir, recipe())).map((file) => file.path);
      expect(paths).to.deep.equal([".podignore", "notes/keep.tmp", "output/result.txt", "payload/in.csv", "recipe.json", "results/r.txt", "script/a.py"]);
    });

    it("refuses symbolic links unless they are ignored", async () => {
      await symlink("/etc/passwd", path.join(dir, "payload/passwd"));
      try {
        await readPodFolder(dir, recipe());
        expect.fail("a symlink was packed");
      } catch (error) {
        expect(error).to.be.instanceOf(PodFolderError);
        expect((error as Error).message).to.equal(`${path.join(dir, "payload/passwd")}: symbolic links are not allowed in a pod (copy the file in, or list it in .podignore)`);
      }
      await writeFile(path.join(dir, ".podignore"), "payload/passwd\n");
      const paths = (await readPodFolder(dir, recipe())).map((file) => file.path);
      expect(paths).to.not.include("payload/passwd");
    });

    it("gives the same list whatever order the files were made in", async () => {
      const first = await readPodFolder(dir, recipe());
      await writeFile(path.join(dir, "a-new.txt"), "x");
      await rm(path.join(dir, "a-new.txt"));
      const second = await readPodFolder(dir, recipe());
      expect(second.map((file) => file.path)).to.deep.equal(first.map((file) => file.path));
    });
  });
});
