import { existsSync, lstatSync, readlinkSync } from "node:fs";
import path from "node:path";
import { VM_PATHS, type PayloadMount } from "../executor";

/**
 * The command lines that start a sandbox. Three processes hand over to each other with `exec`, so
 * the run is one process until bubblewrap forks:
 *
 *   /bin/sh (root)  joins the run's cgroups, then
 *   prlimit         sets the per-process rlimits, then
 *   setpriv         drops to the run's own unprivileged uid (a fresh one per run: RLIMIT_NPROC,
 *                   counted per user, then limits this run alone, and any survivor is findable), then
 *   bwrap           builds the namespaces and mounts and starts the supervisor as the sandbox's uid 1000.
 *
 * The supervisor (a small sh script, below) unpacks the pod into `/golem/work`, says "ready", runs
 * the pod's command, kills whatever the pod left running, and streams `/golem/output` and
 * `/golem/logs` back to the runner as a tar.
 */

/** Where the sandbox's helpers live on the host. Absolute: the runner's PATH is not trusted to find them. */
export const HOST_TOOLS = {
  sh: "/bin/sh",
  prlimit: "/usr/bin/prlimit",
  setpriv: "/usr/bin/setpriv",
  tar: "/usr/bin/tar",
} as const;

/** The pod's user inside the sandbox; outside it is the run's own uid. */
const SANDBOX_UID = 1000;

/** The pod's own log folder inside the sandbox; `/golem/work/<recipe log>` points here. */
const LOGS_PATH = "/golem/logs";

/** File descriptors of the spawned wrapper (0–2 are stdio). */
export const FD = { channel: 3, passwd: 4, podTar: 5, group: 6, hosts: 7 } as const;

/** Exit codes of the wrapper and supervisor before the pod starts; with no "ready" line they mean Provision. */
const JOIN_FAILED = 126;
const UNPACK_FAILED = 125;

/** Joins every cgroup.procs file given, then execs the rest of its arguments. */
const JOIN_SCRIPT = [
  'n="$1"; shift',
  'while [ "$n" -gt 0 ]; do echo "$$" > "$1" || exit ' + JOIN_FAILED + '; shift; n=$((n - 1)); done',
  "shift",
  'exec "$@"',
].join("\n");

/**
 * Runs inside the sandbox as its first process (pid 2, under bwrap's reaper). The pod gets neither
 * the channel nor the pod's tar (both closed for it), and stdin is /dev/null. `kill -9 -1` reaches
 * every process of the sandbox but this one and the reaper, so the tar below reads a folder nobody
 * writes any more.
 */
const SUPERVISOR_SCRIPT = [
  `${HOST_TOOLS.tar} -x -f - -C ${VM_PATHS.work} --no-same-owner <&${FD.podTar} || { echo "lure: the pod could not be unpacked into ${VM_PATHS.work}" >&2; exit ${UNPACK_FAILED}; }`,
  `exec ${FD.podTar}<&-`,
  `echo lure-ready >&${FD.channel}`,
  `/bin/sh -c "$1" ${FD.channel}>&- </dev/null`,
  "code=$?",
  "kill -s KILL -1 2>/dev/null",
  `${HOST_TOOLS.tar} -c -f - -C /golem output logs >&${FD.channel} 2>/dev/null`,
  'exit "$code"',
].join("\n");

/** The marker the supervisor writes on the channel once the pod is unpacked, before the pod starts. */
export const READY_LINE = "lure-ready\n";

/** System folders the pod may read. /etc is not among them: the sandbox gets a minimal one. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** What the dynamic linker and common programs read from /etc; nothing secret (no shadow, no keys, no ssh). */
const ETC_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime", "/etc/nsswitch.conf"];

export interface SandboxLayout {
  /** Bytes of each in-memory folder. */
  workBytes: number;
  tmpBytes: number;
  outputTmpfsBytes: number;
  logTmpfsBytes: number;
  payloads: readonly PayloadMount[];
  /** The recipe's output and log folders, relative to the pod root. */
  outputFolder: string;
  logFolder: string;
  env: Readonly<Record<string, string>>;
  /** The pod's command, `[@]` already expanded. */
  command: string;
}

/** bwrap's arguments (without the program name). */
export function bwrapArgs(layout: SandboxLayout): string[] {
  const args = [
    // user, pid, net, ipc, uts (and cgroup) namespaces: no network at all, loopback included.
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop", "ALL",
    "--clearenv",
    "--uid", String(SANDBOX_UID),
    "--gid", String(SANDBOX_UID),
    "--hostname", "lure-pod",
  ];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    // Merged-/usr systems have /bin -> usr/bin: keep the link, so that paths resolve as on the host.
    if (lstatSync(dir).isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  for (const file of ETC_FILES) args.push("--ro-bind-try", file, file);
  args.push("--ro-bind-data", String(FD.passwd), "/etc/passwd", "--ro-bind-data", String(FD.group), "/etc/group", "--ro-bind-data", String(FD.hosts), "/etc/hosts");
  args.push("--proc", "/proc", "--dev", "/dev");
  args.push("--size", String(layout.tmpBytes), "--tmpfs", "/tmp");
  args.push("--size", String(layout.workBytes), "--tmpfs", VM_PATHS.work);
  args.push("--size", String(layout.outputTmpfsBytes), "--tmpfs", VM_PATHS.output);
  args.push("--size", String(layout.logTmpfsBytes), "--tmpfs", LOGS_PATH);
  args.push("--dir", VM_PATHS.input);
  for (const payload of layout.payloads) {
    args.push("--ro-bind", payload.hostDir, path.posix.join(VM_PATHS.input, payload.podPath));
    args.push("--ro-bind", payload.hostDir, path.posix.join(VM_PATHS.work, payload.podPath));
  }
  // Sovr pods write to [@]output and [@]logs; Golem's convention is /golem/output: both reach the same folder.
  args.push("--symlink", VM_PATHS.output, path.posix.join(VM_PATHS.work, layout.outputFolder.replace(/\/+$/, "")));
  args.push("--symlink", LOGS_PATH, path.posix.join(VM_PATHS.work, layout.logFolder.replace(/\/+$/, "")));
  for (const [name, value] of Object.entries(layout.env)) args.push("--setenv", name, value);
  args.push("--chdir", VM_PATHS.work);
  args.push("--", HOST_TOOLS.sh, "-c", SUPERVISOR_SCRIPT, "lure-supervisor", layout.command);
  return args;
}

/** The minimal /etc files: the pod's user and group, and localhost. */
export function etcFiles(): { passwd: string; group: string; hosts: string } {
  return {
    passwd: `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\npod:x:${SANDBOX_UID}:${SANDBOX_UID}:pod:${VM_PATHS.work}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\npod:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`,
    hosts: "127.0.0.1 localhost lure-pod\n::1 localhost\n",
  };
}

export interface RlimitPlan {
  cpuSeconds: number;
  /** Per user; the uid is the run's own. */
  processes: number;
  /** RLIMIT_AS, only when no memory cgroup holds. */
  addressSpaceBytes?: number;
}

/** The wrapper's full command line: join cgroups, set rlimits, drop to `uid`, start bwrap. */
export function wrapperArgs(procsFiles: readonly string[], rlimits: RlimitPlan, uid: number, bwrap: string, args: readonly string[]): string[] {
  const limits = [
    `--cpu=${rlimits.cpuSeconds}:${rlimits.cpuSeconds}`,
    `--nproc=${rlimits.processes}:${rlimits.processes}`,
    "--core=0:0",
    ...(rlimits.addressSpaceBytes !== undefined ? [`--as=${rlimits.addressSpaceBytes}:${rlimits.addressSpaceBytes}`] : []),
  ];
  return [
    "-c", JOIN_SCRIPT, "lure-join", String(procsFiles.length), ...procsFiles, "--",
    HOST_TOOLS.prlimit, ...limits, "--",
    HOST_TOOLS.setpriv, `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--inh-caps=-all", "--",
    bwrap, ...args,
  ];
}
