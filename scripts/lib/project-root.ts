import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The project's root directory (the one holding package.json), found from `from` upwards: the same
 * answer whether a script runs from scripts/ under ts-node or compiled from dist/scripts/.
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
