import path from "node:path";
import { expandRoot, type PodRecipe } from "../../pods/recipe";
import { VM_PATHS } from "../executor";

/**
 * The shell commands a Golem VM runs for Lure. Files reach a VM only inside its volumes
 * (`/golem/input`, `/golem/output`, `/golem/work`), so everything Lure moves goes through a staging
 * folder in `/golem/input`: the pod and payloads as tars that are unpacked there, the pod's stdout
 * and stderr, its exit code, and one tar of the output and the pod's logs that is downloaded.
 * Every path is single-quoted: recipe folders are validated, but the shell must never re-read them.
 */

/** Lure's staging folder inside the VM. */
export const STAGE = `${VM_PATHS.input}/.lure`;
export const STAGED = {
  podTar: `${STAGE}/pod.tar`,
  payloadTar: `${STAGE}/payloads.tar`,
  stdout: `${STAGE}/stdout`,
  stderr: `${STAGE}/stderr`,
  exit: `${STAGE}/exit`,
  result: `${STAGE}/result.tar`,
} as const;

/** `value` as one single-quoted shell word. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Makes the stage, unpacks the pod into /golem/work and the payloads into /golem/input, and links them as the sandbox does. */
export function unpackScript(recipe: PodRecipe, payloadPaths: readonly string[]): string {
  const work = VM_PATHS.work;
  const lines = ["set -e", `mkdir -p ${quote(work)} ${quote(VM_PATHS.output)}`, `tar -xf ${quote(STAGED.podTar)} -C ${quote(work)}`];
  if (payloadPaths.length > 0) lines.push(`tar -xf ${quote(STAGED.payloadTar)} -C ${quote(VM_PATHS.input)}`);
  // Payloads are read by the pod at /golem/work/<podPath> as well as at /golem/input/<podPath>.
  for (const podPath of payloadPaths) lines.push(...link(`${VM_PATHS.input}/${trim(podPath)}`, `${work}/${trim(podPath)}`));
  lines.push(...link(VM_PATHS.output, `${work}/${trim(recipe.golem.output)}`));
  lines.push(`mkdir -p ${quote(`${work}/${trim(recipe.golem.log)}`)}`);
  lines.push(`rm -f ${quote(STAGED.podTar)} ${quote(STAGED.payloadTar)}`);
  return lines.join("\n");
}

/**
 * The pod's command: `[@]` expanded, run from /golem/work by /bin/sh -c (as golem-js runs a command
 * line), its streams into files (so a chatty pod is bounded by the VM's disk, not the runner's
 * memory), its exit code into a file and as the command's own.
 */
export function execScript(recipe: PodRecipe): string {
  const command = expandRoot(recipe.golem.exec, VM_PATHS.work);
  return [
    `cd ${quote(VM_PATHS.work)}`,
    `/bin/sh -c ${quote(command)} > ${quote(STAGED.stdout)} 2> ${quote(STAGED.stderr)}`,
    "code=$?",
    `echo "$code" > ${quote(STAGED.exit)}`,
    'exit "$code"',
  ].join("\n");
}

/**
 * After the pod: each stream cut to its first `keepBytes` and last `tailBytes` (its full size is
 * printed), then /golem/output and the pod's log folder tarred as `output/…` and `logs/…`; prints
 * `stdout <bytes>`, `stderr <bytes>`, `exit <code>`, `result <bytes>`. Links are archived as links
 * (`cp -a`, tar without -h): the runner skips them when it unpacks.
 */
export function collectScript(recipe: PodRecipe, keepBytes: number, tailBytes: number): string {
  const pack = `${STAGE}/pack`;
  const lines = ["set -e"];
  for (const [name, file] of [["stdout", STAGED.stdout], ["stderr", STAGED.stderr]] as const) {
    const f = quote(file);
    lines.push(
      `touch ${f}`,
      `n=$(wc -c < ${f} | tr -d ' ')`,
      `if [ "$n" -gt ${keepBytes + tailBytes} ]; then head -c ${keepBytes} ${f} > ${f}.cut; tail -c ${tailBytes} ${f} >> ${f}.cut; mv ${f}.cut ${f}; fi`,
      `echo "${name} $n"`,
    );
  }
  lines.push(
    `if [ -f ${quote(STAGED.exit)} ]; then echo "exit $(cat ${quote(STAGED.exit)})"; fi`,
    `rm -rf ${quote(pack)}`,
    `mkdir -p ${quote(pack)}`,
    `if [ -d ${quote(`${VM_PATHS.work}/${trim(recipe.golem.log)}`)} ]; then cp -a ${quote(`${VM_PATHS.work}/${trim(recipe.golem.log)}`)} ${quote(`${pack}/logs`)}; else mkdir -p ${quote(`${pack}/logs`)}; fi`,
    `tar -cf ${quote(STAGED.result)} -C ${quote(path.posix.dirname(VM_PATHS.output))} ${quote(path.posix.basename(VM_PATHS.output))} -C ${quote(pack)} logs`,
    `echo "result $(wc -c < ${quote(STAGED.result)} | tr -d ' ')"`,
  );
  return lines.join("\n");
}

/** What `collectScript` printed. */
export interface Collected {
  stdoutBytes: number;
  stderrBytes: number;
  exitCode: number | null;
  resultBytes: number;
}

/** Reads `collectScript`'s lines; undefined when one is missing (the script did not finish). */
export function parseCollected(stdout: string): Collected | undefined {
  const values = new Map<string, number>();
  for (const line of stdout.split("\n")) {
    const match = /^(stdout|stderr|exit|result) (-?\d+)$/.exec(line.trim());
    if (match) values.set(match[1], Number(match[2]));
  }
  const stdoutBytes = values.get("stdout");
  const stderrBytes = values.get("stderr");
  const resultBytes = values.get("result");
  if (stdoutBytes === undefined || stderrBytes === undefined || resultBytes === undefined) return undefined;
  return { stdoutBytes, stderrBytes, exitCode: values.get("exit") ?? null, resultBytes };
}

function link(target: string, at: string): string[] {
  return [`mkdir -p ${quote(path.posix.dirname(at))}`, `rm -rf ${quote(at)}`, `ln -s ${quote(target)} ${quote(at)}`];
}

function trim(folder: string): string {
  return folder.replace(/\/+$/, "");
}
