import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { PodError } from "./errors";
import { DEFAULT_GOLEM_IMAGE, parseRecipe, RecipeError } from "./recipe";
import { buildFolderAtomically, isMissingOrEmpty } from "./staging";

/** The files of a new pod: a recipe and a Python hello that reads its payload and writes output and a log. */
function scaffoldFiles(name: string): Record<string, string> {
  const recipe = {
    name,
    description: `${name}: a Lure compute pod`,
    version: "1.0",
    author: "",
    public: true,
    golem: {
      exec: "python3 [@]script/hello.py",
      script: "script",
      payload: "payload",
      output: "output",
      log: "logs",
      image: DEFAULT_GOLEM_IMAGE,
      resources: { minCpuCores: 1, minMemGib: 0.5, minStorageGib: 1 },
      timeout: 300,
    },
  };
  return {
    "recipe.json": `${JSON.stringify(recipe, null, 2)}\n`,
    "script/hello.py": HELLO_PY,
    "payload/name.txt": "world\n",
    ".podignore": "# Files listed here are not uploaded by pod:persist (output/ and logs/ never are).\n*.tmp\n__pycache__/\n",
    ".gitignore": "output/\nlogs/\n.lure/\n",
  };
}

const HELLO_PY = `#!/usr/bin/env python3
"""Hello pod: greets the name in payload/name.txt, writes output/hello.txt and logs/run.log."""
from pathlib import Path
import datetime

# The pod's root is the folder above script/, wherever the runner put it ("[@]" in the recipe).
root = Path(__file__).resolve().parent.parent
name = (root / "payload" / "name.txt").read_text(encoding="utf-8").strip() or "world"

(root / "output").mkdir(exist_ok=True)
(root / "logs").mkdir(exist_ok=True)
(root / "output" / "hello.txt").write_text(f"Hello, {name}!\\n", encoding="utf-8")
with open(root / "logs" / "run.log", "a", encoding="utf-8") as log:
    log.write(f"{datetime.datetime.now(datetime.timezone.utc).isoformat()} greeted {name}\\n")
print(f"Hello, {name}!")
`;

export interface ScaffoldResult {
  dir: string;
  files: string[];
}

/** Creates a runnable pod in `dir` (which must be missing or empty); validates the name as a recipe would. */
export async function scaffoldPod(name: string, dir: string): Promise<ScaffoldResult> {
  const files = scaffoldFiles(name);
  try {
    parseRecipe(JSON.parse(files["recipe.json"]), "recipe.json");
  } catch (error) {
    if (error instanceof RecipeError) throw new PodError(`--name: ${error.issues.map((issue) => issue.message).join("; ")}`);
    throw error;
  }
  if (!(await isMissingOrEmpty(dir))) throw new PodError(`${dir}: the folder is not empty; pod:init only writes into a new or empty folder`);
  await buildFolderAtomically(dir, async (staging) => {
    for (const [relative, content] of Object.entries(files)) {
      const absolute = path.join(staging, relative);
      await mkdir(path.dirname(absolute), { recursive: true });
      await writeFile(absolute, content, "utf8");
      if (relative.endsWith(".py")) await chmod(absolute, 0o755);
    }
    await mkdir(path.join(staging, "output"));
    await mkdir(path.join(staging, "logs"));
  });
  return { dir, files: [...Object.keys(files), "output/", "logs/"].sort() };
}
