import { equals, pageOf, totalCount } from "../../graphql/pages";
import { referencedPod } from "../pods/loader";
import type { ApiResolvers } from "../types";
import { runLoaders } from "./loaders";
import { RUN_COLUMNS, RUNNER_COLUMNS, runnersList, runsList } from "./lists";
import type { RunnerRow, RunRow } from "./models";

const RUN_BY_ID = `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1::numeric`;
const RUNNER_BY_ADDRESS = `SELECT ${RUNNER_COLUMNS} FROM runners WHERE address = $1::text`;

const lastChange = (row: { blockNumber: number; blockHash: string; txHash: string; logIndex: number }) => ({
  blockNumber: row.blockNumber,
  blockHash: row.blockHash,
  txHash: row.txHash,
  logIndex: row.logIndex,
});

/** Runs and tasks, their stages, runners and their fees; and the run fields of Pod. */
export const runsResolvers: ApiResolvers = {
  Query: {
    run: async (_root, args, ctx) => {
      const tx = await ctx.snapshot.get();
      const [row] = await tx.query<RunRow>(RUN_BY_ID, [args.id]);
      return row ?? null;
    },
    runs: (_root, args, ctx) => pageOf(ctx, runsList, args),
    runner: async (_root, args, ctx) => {
      const tx = await ctx.snapshot.get();
      const [row] = await tx.query<RunnerRow>(RUNNER_BY_ADDRESS, [args.address]);
      return row ?? null;
    },
    runners: (_root, args, ctx) => pageOf(ctx, runnersList, args),
  },
  Run: {
    pod: (run, _args, ctx) => referencedPod(ctx, run.podId),
    runner: (run, _args, ctx) => (run.runnerAddress === null ? null : runLoaders(ctx).runners.load(run.runnerAddress)),
    stages: (run, _args, ctx) => runLoaders(ctx).stages.load(run.id),
    lastChange,
  },
  RunStage: {
    pod: (stage, _args, ctx) => referencedPod(ctx, stage.podId),
  },
  Runner: {
    fees: (runner, _args, ctx) => runLoaders(ctx).fees.load(runner.address),
    runs: (runner, args, ctx) => pageOf(ctx, runsList, args, [equals("runner", runner.address, "text")]),
    lastChange,
  },
  Pod: {
    runCount: async (pod, _args, ctx) => (await runLoaders(ctx).podStats.load(pod.id))?.runCount ?? 0,
    runSuccessRate: async (pod, _args, ctx) => {
      const stats = await runLoaders(ctx).podStats.load(pod.id);
      return stats && stats.ended > 0 ? stats.completed / stats.ended : null;
    },
    runPrice: (pod, _args, ctx) => runLoaders(ctx).runPrices.load(pod.id),
  },
  RunList: { totalCount },
  RunnerList: { totalCount },
};
