/**
 * `.podignore`: which files of a pod folder stay out of its upload. The rules are gitignore's
 * simple core, so people can write them without learning anything new:
 * - one pattern a line; blank lines and lines starting with `#` are skipped;
 * - `*` matches within one path segment, `?` one character, `**` any number of segments;
 * - a pattern with a `/` at its start or middle is anchored at the pod root, otherwise it matches
 *   a file or folder name at any depth; a trailing `/` matches folders only;
 * - `!pattern` re-includes what an earlier pattern excluded (but not inside an excluded folder,
 *   because that folder is never walked, as in git).
 */

export interface IgnoreRule {
  pattern: string;
  negated: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

export type IgnoreMatcher = (relativePath: string, isDirectory: boolean) => boolean;

/** Parses the text of a `.podignore` (or any list of patterns) into rules, in order. */
export function parseIgnoreRules(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    if (negated) line = line.slice(1);
    if (line.startsWith("\\")) line = line.slice(1); // "\#file" or "\!file": a literal first character
    const directoryOnly = line.endsWith("/");
    if (directoryOnly) line = line.replace(/\/+$/, "");
    if (line === "") continue;
    const anchored = line.includes("/");
    const body = line.replace(/^\/+/, "");
    const source = globToRegexSource(body);
    const regex = new RegExp(anchored ? `^${source}$` : `^(?:.*/)?${source}$`);
    rules.push({ pattern: rawLine.trim(), negated, directoryOnly, regex });
  }
  return rules;
}

/** A matcher: true when the path (relative, `/`-separated) is excluded. The last matching rule wins. */
export function ignoreMatcher(rules: readonly IgnoreRule[]): IgnoreMatcher {
  return (relativePath, isDirectory) => {
    let ignored = false;
    for (const rule of rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(relativePath)) ignored = !rule.negated;
    }
    return ignored;
  };
}

function globToRegexSource(glob: string): string {
  let out = "";
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index];
    if (char === "*") {
      if (glob[index + 1] === "*") {
        const atSegmentStart = index === 0 || glob[index - 1] === "/";
        const atSegmentEnd = index + 2 === glob.length || glob[index + 2] === "/";
        if (atSegmentStart && atSegmentEnd) {
          // "**/" matches zero or more folders; a final "**" matches everything below.
          if (index + 2 === glob.length) out += ".*";
          else {
            out += "(?:.*/)?";
            index += 1; // the slash after "**"
          }
          index += 1;
          continue;
        }
      }
      out += "[^/]*";
    } else if (char === "?") {
      out += "[^/]";
    } else if (char === "\\" && index + 1 < glob.length) {
      index += 1;
      out += escapeRegex(glob[index]);
    } else {
      out += escapeRegex(char);
    }
  }
  return out;
}

function escapeRegex(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}
