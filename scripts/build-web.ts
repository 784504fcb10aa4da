/**
 * `npm run build:web` (also run by `npm run build:services`): bundles the web app (web/) with esbuild
 * into dist/web/: one minified script and one stylesheet under assets/ with content hashes in their
 * names (served as immutable by the API), and index.html naming them (served as no-cache). Nothing
 * is loaded from the internet at run time: preact and the app's code are in the bundle, fonts are
 * the system's. dist/ is generated and git-ignored; dist/web is rebuilt from scratch every time.
 * Types are not checked here (`npm run typecheck` runs `tsc --noEmit -p web`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { build, type Plugin } from "esbuild";
import { projectRoot } from "./lib/project-root";

const ROOT = projectRoot(__dirname);
const WEB = join(ROOT, "web");
export const WEB_OUT = join(ROOT, "dist", "web");

export interface WebBuild {
  dir: string;
  script: string;
  stylesheet: string;
  bytes: number;
}

/**
 * The app uses the typechain factories for their ABIs (`connect`, `createInterface`) and never
 * deploys: each factory's creation bytecode (a quarter of the bundle) is left out of it.
 */
const withoutCreationBytecode: Plugin = {
  name: "without-creation-bytecode",
  setup(builder) {
    builder.onLoad({ filter: /[\\/]typechain-types[\\/]factories[\\/].+__factory\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const stripped = source.replace(/const _bytecode =\s*"0x[0-9a-fA-F_$]*";/, 'const _bytecode = "0x";');
      return { contents: stripped, loader: "ts" };
    });
  },
};

/** Builds the app into `outDir` (default dist/web); returns the hashed file names. */
export async function buildWeb(outDir = WEB_OUT): Promise<WebBuild> {
  rmSync(outDir, { recursive: true, force: true });
  const assets = join(outDir, "assets");
  mkdirSync(assets, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(WEB, "src", "main.tsx")],
    tsconfig: join(WEB, "tsconfig.json"),
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: assets,
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    sourcemap: "linked",
    metafile: true,
    legalComments: "linked",
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [withoutCreationBytecode],
  });
  let script: string | undefined;
  let stylesheet: string | undefined;
  let bytes = 0;
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith(".map") || file.endsWith(".LEGAL.txt")) continue;
    bytes += output.bytes;
    if (file.endsWith(".js") && output.entryPoint) script = basename(file);
    if (file.endsWith(".css")) stylesheet = basename(file);
  }
  if (!script || !stylesheet) throw new Error(`build:web: esbuild produced no ${script ? "stylesheet" : "script"} (outputs: ${Object.keys(result.metafile.outputs).join(", ")})`);
  const template = readFileSync(join(WEB, "index.html"), "utf8");
  const marker = /\s*<!-- scripts\/build-web\.ts puts the hashed stylesheet and script here\. -->/;
  if (!marker.test(template)) throw new Error("build:web: web/index.html lost its marker comment for the assets");
  const html = template.replace(marker, `\n    <link rel="stylesheet" href="/assets/${stylesheet}" />\n    <script type="module" src="/assets/${script}"></script>`);
  writeFileSync(join(outDir, "index.html"), html);
  return { dir: outDir, script, stylesheet, bytes };
}

async function main(): Promise<void> {
  const started = Date.now();
  const built = await buildWeb();
  console.log(`build:web: ${relative(process.cwd(), built.dir) || "."} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${built.script}, ${built.stylesheet}; ${(built.bytes / 1024).toFixed(0)} KiB)`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`build:web: ${error.message}`);
    process.exit(1);
  });
}
