import { spawn } from "node:child_process";
import { startLureStack, type LureStack } from "./lure-stack";

/** A stack of the tests' own on which `npm run demo` has run: what the browser tests look at. */
export interface DemoStack extends LureStack {
  /** The demo's exit code and everything it printed. */
  demo: { code: number | null; output: string; ms: number };
}

let shared: Promise<DemoStack> | undefined;
let running: LureStack | undefined;

/** Runs `scripts/demo.ts` against `stack`, as `npm run demo` does against `npm start`. */
export function runDemo(stack: LureStack, timeoutMs = 600_000): Promise<DemoStack["demo"]> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/demo.ts"], {
      env: { ...process.env, ...stack.env, LOG_LEVEL: "warn", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`npm run demo did not finish within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

/**
 * One stack for every test file that needs the demo's data: started, and the demo run, by the first
 * caller; stopped after all the tests (a root `after` hook).
 */
export function demoStack(): Promise<DemoStack> {
  shared ??= (async () => {
    const stack = await startLureStack();
    running = stack;
    const demo = await runDemo(stack);
    return { ...stack, demo };
  })();
  return shared;
}

// Root-level hook: mocha runs it once, after every file's tests.
after(async function () {
  this.timeout(60_000);
  if (running) await running.stop();
});
