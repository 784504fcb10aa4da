import type { ApiDomain } from "../types";
import { runnersList, runsList } from "./lists";
import { runsResolvers } from "./resolvers";
import { runsStatements } from "./statements";
import { runsSubscriptions } from "./subscriptions";

/** Runs: RunMarket's runs and tasks with their stages, its runners, and the run fields of pods. */
export const runsDomain: ApiDomain = {
  name: "runs",
  resolvers: [runsResolvers, runsSubscriptions],
  statements: runsStatements,
  whereInputs: {
    RunWhere: runsList.filters,
    RunnerWhere: runnersList.filters,
  },
};
