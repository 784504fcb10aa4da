import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * A per-run control group: the one limit on memory, processes and CPU that holds for a whole
 * process tree (rlimits hold per process, and RLIMIT_NPROC per user across the host), and the one
 * way to find and kill every process of a run. cgroup v1 (one hierarchy per controller) and v2
 * (one unified hierarchy) are both handled; each controller is used only where the runner may write
 * it, and the caller learns which ones hold so it can fall back to rlimits for the others.
 *
 * Groups are created under the runner's own group of each hierarchy, so that they stay inside
 * whatever limits the runner itself was given.
 */

export type Controller = "memory" | "pids" | "cpu" | "cpuacct";

export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
  cpuCores: number;
}

export interface CgroupUsage {
  cpuSeconds?: number;
  peakMemoryBytes?: number;
  peakProcesses?: number;
  /** The memory limit was hit and the kernel killed a process. */
  oomKilled: boolean;
  /** A fork was refused by the process limit. */
  processLimitHit: boolean;
}

interface Hierarchy {
  version: 1 | 2;
  /** The folder of this run's group. */
  dir: string;
  controllers: Controller[];
}

const ROOT = "/sys/fs/cgroup";
const CFS_PERIOD_US = 100_000;

/** Where the runner sits in each hierarchy, from /proc/self/cgroup ("4:memory:/a/b", "0::/a/b"). */
async function ownPaths(): Promise<{ v1: Map<string, string>; v2?: string }> {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  const text = await readFile("/proc/self/cgroup", "utf8");
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    if (match[1] === "0" && match[2] === "") v2 = match[3];
    else for (const name of match[2].split(",")) v1.set(name, match[3]);
  }
  return { v1, v2 };
}

async function readNumber(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const value = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(value) ? value : undefined;
}

/** A field of a flat keyed file (memory.events, pids.events, cpu.stat, memory.oom_control). */
async function readKey(file: string, key: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  const match = text === undefined ? null : new RegExp(`^${key} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Every run's group is named `lure-run-<runner pid>-<run>-<uid>`: the pid tells whose it is. */
export const RUN_CGROUP_PREFIX = "lure-run-";

/** The folders the runner creates run groups in: its own place in each hierarchy. */
async function parentDirs(): Promise<string[]> {
  const own = await ownPaths().catch(() => ({ v1: new Map<string, string>(), v2: undefined }));
  if (existsSync(path.join(ROOT, "cgroup.controllers"))) return [path.join(ROOT, own.v2 ?? "/")];
  const dirs = (["memory", "pids", "cpu", "cpuacct"] as const)
    .filter((controller) => existsSync(path.join(ROOT, controller, "cgroup.procs")))
    .map((controller) => path.join(ROOT, controller, own.v1.get(controller) ?? "/"));
  return [...new Set(dirs)];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class RunCgroup {
  /**
   * Removes the run groups left by runner processes that are gone (killed before they could clean
   * up). A group of a live runner, or one still holding processes, is never touched. Returns the
   * folders removed.
   */
  static async removeOrphans(): Promise<string[]> {
    const removed: string[] = [];
    for (const parent of await parentDirs()) {
      const names = await readdir(parent).catch(() => [] as string[]);
      for (const name of names) {
        const match = new RegExp(`^${RUN_CGROUP_PREFIX}(\\d+)-`).exec(name);
        if (!match || isAlive(Number(match[1]))) continue;
        const dir = path.join(parent, name);
        const procs = await readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => "");
        if (procs.trim() !== "") continue;
        try {
          await rmdir(dir);
          removed.push(dir);
        } catch {
          // Busy or already gone: the next start tries again.
        }
      }
    }
    return removed;
  }

  private constructor(
    private readonly hierarchies: Hierarchy[],
    /** Problems met while creating the group, for the run's log. */
    readonly notes: string[],
  ) {}

  /** Controllers that hold for this run. */
  get controllers(): Set<Controller> {
    return new Set(this.hierarchies.flatMap((h) => h.controllers));
  }

  /** The `cgroup.procs` files a process must write its pid into to join the run's groups. */
  get procsFiles(): string[] {
    return this.hierarchies.map((h) => path.join(h.dir, "cgroup.procs"));
  }

  /**
   * Creates the run's group in every hierarchy the runner may write, and sets the limits. Never
   * throws for a hierarchy it cannot use: that controller is left out and a note says why.
   */
  static async create(name: string, limits: CgroupLimits): Promise<RunCgroup> {
    const notes: string[] = [];
    const hierarchies: Hierarchy[] = [];
    const own = await ownPaths().catch(() => ({ v1: new Map<string, string>(), v2: undefined }));
    const unified = existsSync(path.join(ROOT, "cgroup.controllers"));
    if (unified) {
      const created = await createV2(path.join(ROOT, own.v2 ?? "/"), name, notes);
      if (created) hierarchies.push(created);
    } else {
      for (const controller of ["memory", "pids", "cpu", "cpuacct"] as const) {
        const mount = path.join(ROOT, controller);
        if (!existsSync(path.join(mount, "cgroup.procs"))) continue;
        // cpu and cpuacct are often one hierarchy mounted twice ("cpu,cpuacct"): create it once.
        const dir = path.join(mount, own.v1.get(controller) ?? "/", name);
        const twin = hierarchies.find((h) => h.dir === dir);
        if (twin) {
          twin.controllers.push(controller);
          continue;
        }
        try {
          await mkdir(dir);
          hierarchies.push({ version: 1, dir, controllers: [controller] });
        } catch (error) {
          notes.push(`cgroup v1 ${controller}: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        }
      }
    }
    const group = new RunCgroup(hierarchies, notes);
    await group.apply(limits);
    return group;
  }

  private async apply(limits: CgroupLimits): Promise<void> {
    for (const h of this.hierarchies) {
      const write = async (controller: Controller, file: string, value: string, required = true) => {
        try {
          await writeFile(path.join(h.dir, file), value);
        } catch (error) {
          if (!required) return;
          h.controllers = h.controllers.filter((c) => c !== controller);
          this.notes.push(`cgroup v${h.version} ${controller}: cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        }
      };
      const quota = String(Math.max(1000, Math.round(limits.cpuCores * CFS_PERIOD_US)));
      if (h.version === 1) {
        if (h.controllers.includes("memory")) {
          await write("memory", "memory.limit_in_bytes", String(limits.memoryBytes));
          // Without swap accounting this file is absent; the limit above then holds for RAM only.
          await write("memory", "memory.memsw.limit_in_bytes", String(limits.memoryBytes), false);
        }
        if (h.controllers.includes("pids")) await write("pids", "pids.max", String(limits.maxProcesses));
        if (h.controllers.includes("cpu")) {
          await write("cpu", "cpu.cfs_period_us", String(CFS_PERIOD_US));
          await write("cpu", "cpu.cfs_quota_us", quota);
        }
      } else {
        if (h.controllers.includes("memory")) {
          await write("memory", "memory.max", String(limits.memoryBytes));
          await write("memory", "memory.swap.max", "0", false);
        }
        if (h.controllers.includes("pids")) await write("pids", "pids.max", String(limits.maxProcesses));
        if (h.controllers.includes("cpu")) await write("cpu", "cpu.max", `${quota} ${CFS_PERIOD_US}`);
      }
    }
  }

  private dirOf(controller: Controller): Hierarchy | undefined {
    return this.hierarchies.find((h) => h.controllers.includes(controller));
  }

  /** CPU seconds used by every process of the run so far, if a hierarchy accounts for it. */
  async cpuSeconds(): Promise<number | undefined> {
    const v1 = this.hierarchies.find((h) => h.version === 1 && h.controllers.includes("cpuacct"));
    if (v1) {
      const ns = await readNumber(path.join(v1.dir, "cpuacct.usage"));
      return ns === undefined ? undefined : ns / 1e9;
    }
    // v2 accounts CPU in cpu.stat whether or not the cpu controller is enabled.
    const v2 = this.hierarchies.find((h) => h.version === 2);
    if (v2) {
      const us = await readKey(path.join(v2.dir, "cpu.stat"), "usage_usec");
      return us === undefined ? undefined : us / 1e6;
    }
    return undefined;
  }

  async usage(): Promise<CgroupUsage> {
    const usage: CgroupUsage = { oomKilled: false, processLimitHit: false, cpuSeconds: await this.cpuSeconds() };
    const memory = this.dirOf("memory");
    if (memory) {
      usage.peakMemoryBytes = await readNumber(path.join(memory.dir, memory.version === 1 ? "memory.max_usage_in_bytes" : "memory.peak"));
      const kills = memory.version === 1
        ? await readKey(path.join(memory.dir, "memory.oom_control"), "oom_kill")
        : await readKey(path.join(memory.dir, "memory.events"), "oom_kill");
      // Older v1 kernels have no oom_kill counter: a failed charge is the sign the limit was reached.
      const failures = memory.version === 1 && kills === undefined ? await readNumber(path.join(memory.dir, "memory.failcnt")) : undefined;
      usage.oomKilled = (kills ?? failures ?? 0) > 0;
    }
    const pids = this.dirOf("pids");
    if (pids) {
      usage.peakProcesses = await readNumber(path.join(pids.dir, "pids.peak"));
      usage.processLimitHit = ((await readKey(path.join(pids.dir, "pids.events"), "max")) ?? 0) > 0;
    }
    return usage;
  }

  /** Pids of every process in the run's groups. */
  async pids(): Promise<number[]> {
    const found = new Set<number>();
    for (const h of this.hierarchies) {
      const text = await readFile(path.join(h.dir, "cgroup.procs"), "utf8").catch(() => "");
      for (const line of text.split("\n")) if (line.trim()) found.add(Number(line));
    }
    return [...found];
  }

  /**
   * Kills every process of the run. v2 has cgroup.kill, which the kernel applies atomically; v1 has
   * not, so pids are killed until none is left. That terminates even under a fork bomb: the
   * sandbox's init is among them, and once the init of a pid namespace dies the kernel kills the
   * rest and refuses new forks in it.
   */
  async killAll(): Promise<void> {
    for (const h of this.hierarchies) {
      if (h.version === 2 && existsSync(path.join(h.dir, "cgroup.kill"))) await writeFile(path.join(h.dir, "cgroup.kill"), "1").catch(() => undefined);
    }
    for (let round = 0; round < 200; round += 1) {
      const pids = await this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Removes the run's groups once their processes are gone (killing any that are left). */
  async remove(): Promise<void> {
    await this.killAll();
    for (const h of this.hierarchies) {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          await rmdir(h.dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") break;
          // EBUSY while the kernel finishes tearing down the last processes.
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (attempt === 49) this.notes.push(`cgroup: could not remove ${h.dir} (${code ?? String(error)})`);
        }
      }
    }
  }
}

/** v2: a child of the runner's group, with the controllers its parent delegates (enabling them if it may). */
async function createV2(parent: string, name: string, notes: string[]): Promise<Hierarchy | undefined> {
  const wanted: Controller[] = ["memory", "pids", "cpu"];
  const available = ((await readFile(path.join(parent, "cgroup.subtree_control"), "utf8").catch(() => "")).trim().split(/\s+/)).filter(Boolean);
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    // Fails when the parent holds processes itself ("no internal processes"); the runner then needs a delegated group.
    await writeFile(path.join(parent, "cgroup.subtree_control"), missing.map((c) => `+${c}`).join(" ")).catch((error: NodeJS.ErrnoException) => {
      notes.push(`cgroup v2: cannot enable ${missing.join(", ")} in ${parent} (${error.code ?? String(error)}); run the runner in a delegated cgroup`);
    });
  }
  const dir = path.join(parent, name);
  try {
    await mkdir(dir);
  } catch (error) {
    notes.push(`cgroup v2: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
  const enabled = (await readFile(path.join(dir, "cgroup.controllers"), "utf8").catch(() => "")).trim().split(/\s+/);
  const controllers = wanted.filter((c) => enabled.includes(c));
  // Every v2 group accounts CPU time in cpu.stat, so the CPU budget holds even without the cpu controller.
  return { version: 2, dir, controllers: [...controllers, "cpuacct"] };
}
