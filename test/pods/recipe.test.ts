import { expect } from "chai";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import {
  DEFAULT_GOLEM_IMAGE,
  expandRoot,
  golemImage,
  loadRecipe,
  parseRecipe,
  parseRecipeText,
  RecipeError,
  type PodRecipe,
} from "../../services/pods/recipe";

const FIXTURES = path.resolve(__dirname, "../fixtures/sovr");
const REF = "da41f8dfd57e2e89df2dacd3b01c4a1dbc7c4a1df429f96743317e6a220c5fac";

async function recipeFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const absolute = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await recipeFiles(absolute)));
    else if (entry.name === "recipe.json") found.push(absolute);
  }
  return found.sort();
}

function errorOf(input: unknown): RecipeError {
  try {
    parseRecipe(input, "recipe.json");
  } catch (error) {
    expect(error).to.be.instanceOf(RecipeError);
    return error as RecipeError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

const pod = (golem: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: "p", golem: { exec: "python3 a.py", ...golem }, ...extra });

describe("pods: recipe schema", () => {
  describe("Sovr fixtures parse unchanged", () => {
    it("finds all eight fixtures", async () => {
      expect(await recipeFiles(FIXTURES)).to.have.length(8);
    });

    // One test per fixture file, generated from the folder so a new fixture is covered automatically.
    const files = readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith("recipe.json"))
      .sort();
    for (const relative of files) {
      it(relative, async () => {
        const file = path.join(FIXTURES, relative);
        const text = await readFile(file, "utf8");
        const original = z.record(z.string(), z.unknown()).parse(JSON.parse(text));
        const parsed = await loadRecipe(path.dirname(file));
        expect(parsed.warnings).to.deep.equal([]);
        // Every field the file has comes back with the same value.
        for (const [key, value] of Object.entries(original)) {
          if (key === "golem") {
            for (const [golemKey, golemValue] of Object.entries(value as object)) {
              expect((parsed.recipe as PodRecipe).golem[golemKey as keyof PodRecipe["golem"]], `golem.${golemKey}`).to.deep.equal(golemValue);
            }
          } else expect((parsed.recipe as Record<string, unknown>)[key], key).to.deep.equal(value);
        }
        expect(parsed.kind).to.equal(relative.startsWith("tasks") ? "task" : "pod");
      });
    }

    it("reads the keras task's pods as Swarm references", async () => {
      const parsed = await loadRecipe(path.join(FIXTURES, "tasks/keras"));
      expect(parsed.kind).to.equal("task");
      if (parsed.kind !== "task") return;
      expect(parsed.recipe.pods).to.have.length(5);
      for (const entry of parsed.recipe.pods) expect(entry).to.match(/^[0-9a-f]{64}$/);
    });

    it("reads external payloads of the ml pods", async () => {
      const parsed = await loadRecipe(path.join(FIXTURES, "pods/ml/xception"));
      expect(parsed.kind).to.equal("pod");
      expect((parsed.recipe as PodRecipe).golem.payload).to.deep.equal([{ ref: REF, data: "/images.zip" }]);
    });
  });

  describe("[@] and defaults", () => {
    it("expands every [@] to the pod root with one slash", () => {
      const exec = "python3 [@]script/script.py --model xception --images [@]payload/external/images";
      const expected = "python3 /golem/work/script/script.py --model xception --images /golem/work/payload/external/images";
      expect(expandRoot(exec, "/golem/work")).to.equal(expected);
      expect(expandRoot(exec, "/golem/work/")).to.equal(expected);
      expect(expandRoot("echo hi", "/x")).to.equal("echo hi");
    });

    it("defaults the image, output and log folders", () => {
      const parsed = parseRecipe(pod({}));
      const recipe = parsed.recipe as PodRecipe;
      expect(golemImage(recipe)).to.equal(DEFAULT_GOLEM_IMAGE);
      expect(recipe.golem.output).to.equal("output");
      expect(recipe.golem.log).to.equal("logs");
    });

    it("accepts every Lure addition", () => {
      const parsed = parseRecipe(
        pod(
          {
            image: "golem/python:3.11-slim",
            resources: { minCpuCores: 2, minMemGib: 1.5, minStorageGib: 4 },
            timeout: 600,
            env: { MODEL: "xception", _DEBUG: "1" },
          },
          { forkedFrom: { podId: 3, version: 2, ref: REF } },
        ),
      );
      const recipe = parsed.recipe as PodRecipe;
      expect(recipe.golem.resources).to.deep.equal({ minCpuCores: 2, minMemGib: 1.5, minStorageGib: 4 });
      expect(recipe.forkedFrom).to.deep.equal({ podId: 3, version: 2, ref: REF });
      expect(parseRecipe(pod({ image: "a".repeat(56) })).kind).to.equal("pod");
      expect(parseRecipe({ name: "t", pods: [REF, 7, "12"], payload: [{ ref: REF, data: "/x.zip" }] }).kind).to.equal("task");
      expect(parseRecipe(pod({}, { forkedFrom: { ref: REF } })).kind).to.equal("pod");
    });
  });

  describe("errors name the field and the value", () => {
    const cases: [string, unknown, string][] = [
      ["bad payload ref", pod({ payload: [{ ref: REF, data: "/a.zip" }, { ref: "xyz", data: "/b" }] }), 'golem.payload[1].ref: expected a 64-hex Swarm reference, got "xyz"'],
      ["payload of the wrong type", pod({ payload: 5 }), "golem.payload: expected a folder name or a list of { ref, data } payloads, got 5"],
      ["empty payload list", pod({ payload: [] }), "golem.payload: expected at least one { ref, data } payload"],
      ["payload data escaping", pod({ payload: [{ ref: REF, data: "/../etc/passwd" }] }), 'golem.payload[0].data: expected a path inside the referenced collection'],
      ["payload folder escaping", pod({ payload: "../elsewhere" }), 'golem.payload: expected a folder name inside the pod (relative, no \'..\'), got "../elsewhere"'],
      ["absolute output folder", pod({ output: "/tmp/out" }), 'golem.output: expected a folder name inside the pod (relative, no \'..\'), got "/tmp/out"'],
      ["missing exec", { name: "p", golem: {} }, "golem.exec: required (string)"],
      ["empty exec", pod({ exec: "  " }), 'golem.exec: expected a non-empty command line, got "  "'],
      ["missing name", { golem: { exec: "x" } }, "name: required (string)"],
      ["name too long", { name: "n".repeat(65), golem: { exec: "x" } }, "name: expected a pod name of at most 64 bytes"],
      ["name with a slash", { name: "a/b", golem: { exec: "x" } }, 'name: expected a pod name without control characters or slashes, got "a/b"'],
      ["public not boolean", pod({}, { public: "yes" }), 'public: expected true or false, got "yes"'],
      ["bad image", pod({ image: "python" }), 'golem.image: expected a Golem image tag (owner/name:tag) or a 56-hex image hash, got "python"'],
      ["zero cores", pod({ resources: { minCpuCores: 0 } }), "golem.resources.minCpuCores: expected a whole number of CPU cores from 1 to 256, got 0"],
      ["fractional cores", pod({ resources: { minCpuCores: 1.5 } }), "golem.resources.minCpuCores: expected a whole number of CPU cores from 1 to 256, got 1.5"],
      ["negative memory", pod({ resources: { minMemGib: -1 } }), "golem.resources.minMemGib: expected GiB of memory, above 0 and at most 1024, got -1"],
      ["storage as text", pod({ resources: { minStorageGib: "10" } }), 'golem.resources.minStorageGib: expected GiB of storage, above 0 and at most 65536, got "10"'],
      ["zero timeout", pod({ timeout: 0 }), "golem.timeout: expected a timeout in whole seconds from 1 to 604800, got 0"],
      ["bad env name", pod({ env: { "1ABC": "x" } }), 'golem.env["1ABC"]: expected an environment variable name'],
      ["env value not a string", pod({ env: { A: 3 } }), "golem.env.A: expected a string value, got 3"],
      ["forkedFrom without version", pod({}, { forkedFrom: { podId: 1, ref: REF } }), "forkedFrom: podId and version go together"],
      ["forkedFrom bad ref", pod({}, { forkedFrom: { podId: 1, version: 1, ref: "0x12" } }), 'forkedFrom.ref: expected a 64-hex Swarm reference, got "0x12"'],
      ["forkedFrom bad pod id", pod({}, { forkedFrom: { podId: -4, version: 1, ref: REF } }), "forkedFrom.podId: expected an on-chain pod id (a positive integer), got -4"],
      ["forkedFrom version zero", pod({}, { forkedFrom: { podId: 1, version: 0, ref: REF } }), "forkedFrom.version: expected a version number (1 or more), got 0"],
      ["task pod neither ref nor id", { name: "t", pods: [REF, "nope"] }, 'pods[1]: expected a 64-hex Swarm reference or an on-chain pod id, got "nope"'],
      ["empty task", { name: "t", pods: [] }, "pods: expected at least one pod"],
      ["task shared payload", { name: "t", pods: [REF], payload: [{ ref: "z" }] }, 'payload[0].ref: expected a 64-hex Swarm reference, got "z"'],
      ["both pod and task", { name: "x", pods: [REF], golem: { exec: "x" } }, "a recipe is either a pod (with golem) or a task (with pods), not both"],
      ["not an object", [1, 2], "expected a JSON object, got [1,2]"],
    ];
    for (const [title, input, message] of cases) {
      it(title, () => {
        const error = errorOf(input);
        expect(error.message.startsWith("recipe.json: "), error.message).to.equal(true);
        expect(error.message).to.include(message);
      });
    }

    it("reports every bad field at once", () => {
      const error = errorOf(pod({ exec: "", timeout: -1, payload: [{ ref: "q", data: "/x" }] }));
      expect(error.issues.map((issue) => issue.path)).to.have.members(["golem.exec", "golem.timeout", "golem.payload[0].ref"]);
    });
  });

  describe("unknown fields warn", () => {
    it("returns their paths and keeps parsing", () => {
      const parsed = parseRecipe(pod({ gpu: true, payload: [{ ref: REF, data: "/a", checksum: "x" }], resources: { minGpus: 1 } }, { license: "MIT" }));
      expect(parsed.kind).to.equal("pod");
      expect(parsed.warnings).to.have.members([
        "golem.gpu: unknown field, ignored",
        "golem.payload[0].checksum: unknown field, ignored",
        "golem.resources.minGpus: unknown field, ignored",
        "license: unknown field, ignored",
      ]);
    });
  });

  describe("near misses of known fields are errors", () => {
    for (const [input, path, suggestion] of [
      [{ name: "p", Golem: { exec: "x" } }, "Golem", 'did you mean "golem"?'],
      [{ name: "p", golme: { exce: "x" } }, "golme.exce", 'did you mean "exec" (golme.exec)?'],
      [pod({ scirpt: "script" }), "golem.scirpt", 'did you mean "script" (golem.script)?'],
      [pod({}, { forkedfrom: { ref: REF } }), "forkedfrom", 'did you mean "forkedFrom"?'],
      [pod({}, { forkedFrom: { ref: REF, podid: 1, version: 1 } }), "forkedFrom.podid", 'did you mean "podId" (forkedFrom.podId)?'],
      [{ name: "t", pods: [REF], paylaod: [{ ref: REF }] }, "paylaod", 'did you mean "payload"?'],
      [pod({}, { payload: [{ ref: REF }] }), "payload", 'did you mean "golem.payload"?'],
    ] as const) {
      it(`${path}: ${suggestion}`, () => {
        const error = errorOf(input);
        const issue = error.issues.find((entry) => entry.path === path);
        expect(issue?.message, error.message).to.contain(suggestion);
        // The field it resembles is not also reported missing.
        expect(error.issues.map((entry) => entry.message)).to.not.include("required (object)");
      });
    }

    it("fields far from every known one stay warnings", () => {
      expect(parseRecipe(pod({ gpu: 1, notes: "x" }, { license: "MIT", homepage: "x" })).warnings).to.have.length(4);
    });
  });

  describe("files", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "lure-recipe-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("names the file, line and column of malformed JSON", async () => {
      await writeFile(path.join(dir, "recipe.json"), '{\n  "name": "x",\n  golem: {}\n}\n');
      try {
        await loadRecipe(dir);
        expect.fail("malformed JSON was accepted");
      } catch (error) {
        expect(error).to.be.instanceOf(RecipeError);
        expect((error as Error).message).to.match(new RegExp(`^${path.join(dir, "recipe.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: malformed JSON at 3:3`));
      }
    });

    it("names a missing recipe", async () => {
      try {
        await loadRecipe(dir);
        expect.fail("a folder without recipe.json was accepted");
      } catch (error) {
        expect((error as Error).message).to.equal(`${path.join(dir, "recipe.json")}: no recipe.json in this folder`);
      }
    });

    it("accepts a byte-order mark", () => {
      expect(parseRecipeText(`\ufeff${JSON.stringify(pod({}))}`).kind).to.equal("pod");
    });

    it("reports empty text as malformed", () => {
      expect(() => parseRecipeText("", "r.json")).to.throw(RecipeError, /^r\.json: malformed JSON/);
    });
  });
});
