import { expect } from "chai";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");

/** The file a relative module specifier names, as Node would load it from TypeScript sources. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** Specifiers `file` loads as soon as it is loaded: value imports and re-exports, not types, not dynamic imports. */
function eagerImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly) specifiers.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) && !statement.isTypeOnly) {
      specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers;
}

/** Every path of eager imports from `entry` that reaches generated code (typechain-types/). */
function pathsIntoGeneratedCode(entry: string): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const visit = (file: string, trail: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of eagerImports(file)) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      if (relative(ROOT, target).startsWith("typechain-types")) {
        found.push([...trail, relative(ROOT, file), specifier]);
        continue;
      }
      const resolved = resolveSpecifier(file, specifier);
      if (resolved) visit(resolved, [...trail, relative(ROOT, file)]);
    }
  };
  visit(entry, []);
  return found;
}

describe("hardhat.config.ts loads before anything is compiled", function () {
  // A fresh clone has no typechain-types/ until `hardhat compile`, and Hardhat loads the config,
  // and so every task module, before it can compile: a task that imports generated bindings at
  // load time makes the very first `npm test` fail with MODULE_NOT_FOUND.
  it("no module the config loads imports typechain-types/ at load time", function () {
    const paths = pathsIntoGeneratedCode(join(ROOT, "hardhat.config.ts")).map((path) => path.join(" → "));
    expect(paths).to.deep.equal([]);
  });

  it("the check sees an eager import of generated code", function () {
    // The indexer's contract modules take their ABIs from the bindings when they load (the
    // indexer is never loaded by the Hardhat config): the walk must report them.
    const paths = pathsIntoGeneratedCode(join(ROOT, "services", "indexer", "contracts", "index.ts"));
    expect(paths.length).to.be.greaterThan(0);
  });
});
