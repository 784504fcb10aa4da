import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findOutsideReferences } from "../../scripts/check-standalone";

describe("the repository stands alone (scripts/check-standalone.ts)", function () {
  it("nothing in this repository reads, imports or links outside it", function () {
    const problems = findOutsideReferences(join(__dirname, "..", ".."));
    expect(problems.map((problem) => `${problem.file}:${problem.line}: ${problem.reason}`)).to.deep.equal([]);
  });

  describe("the check itself", function () {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), "lure-standalone-"));
      mkdirSync(join(root, "docs"));
      mkdirSync(join(root, "test"));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("accepts links and imports that stay inside", function () {
      writeFileSync(join(root, "docs", "a.md"), "See [the map](architecture.md), [the README](../README.md) and [Bee](https://docs.ethswarm.org).\n");
      writeFileSync(join(root, "test", "x.test.ts"), 'import { a } from "../services/a";\nconst f = require.resolve("./fixtures/v.json");\n');
      expect(findOutsideReferences(root)).to.deep.equal([]);
    });

    it("finds a sibling shared/ folder, a link above the root, an import above the root and a machine's absolute path", function () {
      // Built from parts, so that this file does not itself hold what the check looks for.
      const sibling = ["..", "shared", "interfaces.md"].join("/");
      const machinePath = `/${["work", "main", "test"].join("/")}`;
      writeFileSync(join(root, "docs", "a.md"), `The interfaces are in \`${sibling}\`.\nSee [x](../../other/README.md).\n`);
      writeFileSync(join(root, "test", "x.test.ts"), `import { v } from "../../elsewhere/v";\nconst dir = "${machinePath}";\n`);
      const reasons = findOutsideReferences(root).map((problem) => `${problem.file}:${problem.line}: ${problem.reason}`);
      expect(reasons).to.have.members([
        "docs/a.md:1: a sibling shared/ folder",
        "docs/a.md:2: a link to ../../other/README.md, outside the repository",
        "test/x.test.ts:1: an import of ../../elsewhere/v, outside the repository",
        "test/x.test.ts:2: an absolute path of one machine",
      ]);
    });
  });
});
